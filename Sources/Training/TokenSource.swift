/// Read access to a token stream for training windows (a token shard, or an array in tests).
public protocol TokenSource: AnyObject {
    /// Number of tokens.
    var tokenCount: Int { get }
    /// Copies tokens `[offset, offset + count)` into `out`.
    func copyTokens(from offset: Int, count: Int, into out: UnsafeMutablePointer<Int32>)
    /// Where the tokens come from, for messages and checkpoint metadata.
    var sourceName: String { get }
}

/// Tokens held in memory (tests, small synthetic data).
public final class ArrayTokenSource: TokenSource {
    public let tokens: [Int32]
    public let sourceName: String

    public init(_ tokens: [Int32], name: String = "<memory>") {
        self.tokens = tokens
        self.sourceName = name
    }

    public var tokenCount: Int { tokens.count }

    public func copyTokens(from offset: Int, count: Int, into out: UnsafeMutablePointer<Int32>) {
        tokens.withUnsafeBufferPointer { out.update(from: $0.baseAddress! + offset, count: count) }
    }
}
