import Testing
@testable import Tensor

/// The chunked few-row linear layer against the Double naive twin, for shapes that take the chunked path
/// (several chunks, a ragged last chunk) and the fallback path, with and without accumulation.
/// Tolerance 1e-4 absolute: inputs in [-1, 1], dot products of up to 300 terms in Float (≈ 300·6e-8·|x·w|).
@Test(arguments: [(4, 40, 70), (16, 256, 100), (3, 300, 9), (1, 8, 5), (200, 64, 33)])
func fewRowMatmulMatchesNaive(shape: (Int, Int, Int)) {
    let (N, I, O) = shape
    var seed: UInt64 = 0x1234_5678
    func r() -> Float {
        seed = seed &* 6364136223846793005 &+ 1442695040888963407
        return Float(Int64(bitPattern: seed >> 11) % 2_000_001) / 1_000_000 - 1
    }
    let x = (0..<N * I).map { _ in r() }, w = (0..<O * I).map { _ in r() }, start = (0..<N * O).map { _ in r() }
    let expected = matmulForwardNaive(x.map(Double.init), w.map(Double.init), N: N, I: I, O: O)
    for accumulate in [false, true] {
        var y = start
        for threads in [1, 2] {
            Parallel.setThreads(threads)
            y = start
            matmulForwardFewRows(&y, x, w, N: N, I: I, O: O, accumulate: accumulate)
            let worst = (0..<N * O).map { abs(Double(y[$0]) - expected[$0] - (accumulate ? Double(start[$0]) : 0)) }.max()!
            #expect(worst < 1e-4, "N \(N) I \(I) O \(O) accumulate \(accumulate) threads \(threads): \(worst)")
        }
        Parallel.setThreads(1)
    }
}
