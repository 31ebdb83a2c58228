/// Where one named tensor lives in a `ParameterSet` slab.
public struct ParameterInfo: Sendable {
    public let name: String
    public let shape: [Int]
    public let offset: Int
    public let count: Int
    /// Whether AdamW should decay it: matrices (rank ≥ 2) yes, norms and mHC bias/alpha no.
    public let weightDecay: Bool
}

/// One 64-byte-aligned Float slab carved into named views (parameters, or gradients with the same layout).
/// A reference type with no copy-on-write: views alias the slab for the set's lifetime.
public final class ParameterSet: @unchecked Sendable {
    public let infos: [ParameterInfo]
    public let count: Int
    public let data: UnsafeMutablePointer<Float>
    private let index: [String: Int]

    /// Lays out `tensors` in order, zero-initialised.
    public init(layout tensors: [(name: String, shape: [Int])]) {
        var infos: [ParameterInfo] = []
        var offset = 0
        for t in tensors {
            let n = t.shape.reduce(1, *)
            infos.append(ParameterInfo(name: t.name, shape: t.shape, offset: offset, count: n,
                                       weightDecay: t.shape.count >= 2))
            offset += (n + 15) / 16 * 16      // keep every view 64-byte aligned
        }
        self.infos = infos
        self.count = offset
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(offset, 1) * 4, alignment: 64)
        data = raw.bindMemory(to: Float.self, capacity: max(offset, 1))
        data.initialize(repeating: 0, count: max(offset, 1))
        index = Dictionary(uniqueKeysWithValues: infos.enumerated().map { ($1.name, $0) })
    }

    /// A set with the same layout as `other`, zeroed.
    public convenience init(sameLayoutAs other: ParameterSet) {
        self.init(layout: other.infos.map { ($0.name, $0.shape) })
    }

    deinit { UnsafeMutableRawPointer(data).deallocate() }

    /// Total number of scalars in the named tensors (excluding alignment padding).
    public var scalarCount: Int { infos.reduce(0) { $0 + $1.count } }

    /// The tensor's metadata, or nil when the set has no such name.
    public func info(_ name: String) -> ParameterInfo? { index[name].map { infos[$0] } }

    /// The named tensor's storage. Precondition: the name exists.
    public func view(_ name: String) -> UnsafeMutableBufferPointer<Float> {
        guard let i = index[name] else { preconditionFailure("no parameter named '\(name)'") }
        return UnsafeMutableBufferPointer(start: data + infos[i].offset, count: infos[i].count)
    }

    /// Sets every element (padding included) to 0.
    public func zero() { data.update(repeating: 0, count: max(count, 1)) }

    /// Copies all values from a set with the same layout.
    public func copy(from other: ParameterSet) {
        precondition(other.count == count && other.infos.map(\.name) == infos.map(\.name), "layout mismatch")
        data.update(from: other.data, count: count)
    }
}
