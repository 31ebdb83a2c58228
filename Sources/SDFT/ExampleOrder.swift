import TokenData
import Generation
import Randomness

/// Which examples a step uses: the data is visited in epochs, each a fresh permutation drawn from
/// `(seed, epoch)`. Stateless in the step number, so a resumed run picks exactly what an unbroken run would.
public struct ExampleOrder: Sendable {
    public let count: Int
    public let seed: UInt64

    public init(count: Int, seed: UInt64) {
        precondition(count >= 1, "ExampleOrder needs at least one example")
        self.count = count
        self.seed = seed
    }

    /// Indices of the examples used by the step with 0-based index `step`, `perStep` of them.
    public func indices(step: Int, perStep: Int) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(perStep)
        var cachedEpoch = -1
        var permutation: [Int] = []
        for slot in 0..<perStep {
            let position = step * perStep + slot
            let epoch = position / count
            if epoch != cachedEpoch {
                permutation = Self.permutation(count: count, seed: seed, epoch: epoch)
                cachedEpoch = epoch
            }
            out.append(permutation[position % count])
        }
        return out
    }

    /// Fisher–Yates shuffle of 0..<count driven by SplitMix64(seed, epoch).
    static func permutation(count: Int, seed: UInt64, epoch: Int) -> [Int] {
        var rng = SplitMix64(seed: seed ^ (0xA076_1D64_78BD_642F &* UInt64(epoch + 1)))
        var p = Array(0..<count)
        for i in stride(from: count - 1, to: 0, by: -1) {
            let j = Int(rng.next() % UInt64(i + 1))
            p.swapAt(i, j)
        }
        return p
    }
}
