import TokenData

extension ShardReader: TokenSource {
    public var tokenCount: Int { count }
    public var sourceName: String { path }
    public func copyTokens(from offset: Int, count n: Int, into out: UnsafeMutablePointer<Int32>) {
        copy(from: offset, count: n, into: out)
    }
}
