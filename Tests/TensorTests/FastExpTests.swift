import Foundation
import Testing
@testable import Tensor

@Suite struct FastExpTests {
    @Test func exp8IsWithinTwoUlpOfDoubleExpOverTheFloatRange() {
        // 200 000 points across [−87, 87.9]: relative error against Double exp ≤ 2.5e-7 (about 2 ulp of Float).
        var worst = 0.0
        var x: Float = -87
        while x <= 87.9 {
            let v = Float8(x, x + 1e-3, x + 2e-3, x + 3e-3, x + 4e-3, x + 5e-3, x + 6e-3, x + 7e-3)
            let e = exp8(v)
            for l in 0..<8 {
                let ref = Foundation.exp(Double(v[l]))
                worst = max(worst, abs(Double(e[l]) - ref) / ref)
            }
            x += 175.0 / 25_000
        }
        #expect(worst < 2.5e-7, "worst relative error \(worst)")
        #expect(exp1(0) == 1)
    }

    @Test func exp8ClampsInsteadOfOverflowingAndKeepsNaN() {
        let e = exp8(Float8(-1000, -88, 89, 1000, .nan, 1, -1, 0))
        #expect(e[0] > 0 && e[0] < 1.2e-38 * 1.01 && e[1] < 1.3e-38)
        #expect(e[2].isFinite && e[3].isFinite && e[3] > 1e38)
        #expect(e[4].isNaN)
        #expect(abs(e[5] - Float(M_E)) <= Float(M_E).ulp && abs(e[6] - Float(1 / M_E)) <= Float(1 / M_E).ulp)
    }

    @Test func tailElementsGetTheSameValueAsLanes() {
        // softmax of 11 logits: the last 3 go through the scalar tail; compare with the same logits placed
        // in a full lane block
        let x: [Float] = (0..<11).map { Float($0) * 0.37 - 2 }
        var y = [Float](repeating: 0, count: 11)
        softmaxForward(&y, x, N: 1, V: 11)
        let naive = softmaxForwardNaive(x.map(Double.init), N: 1, V: 11)
        #expect(zip(y, naive).allSatisfy { abs(Double($0) - $1) < 1e-7 })
        #expect(exp1(x[9]) == exp8(Float8(repeating: x[9]))[3])
    }
}
