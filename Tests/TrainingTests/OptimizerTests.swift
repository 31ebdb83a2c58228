import Foundation
import Testing
@testable import Training
import Model

/// Naive AdamW twin in Double, written straight from the formula (PyTorch semantics).
private func referenceAdamW(params: inout [Double], m: inout [Double], v: inout [Double], grads: [Double],
                            decay: [Bool], t: Int, lr: Double, b1: Double = 0.9, b2: Double = 0.95,
                            eps: Double = 1e-8, wd: Double = 0.1) {
    for i in params.indices {
        if decay[i] { params[i] -= lr * wd * params[i] }
        m[i] = b1 * m[i] + (1 - b1) * grads[i]
        v[i] = b2 * v[i] + (1 - b2) * grads[i] * grads[i]
        let mHat = m[i] / (1 - pow(b1, Double(t)))
        let vHat = v[i] / (1 - pow(b2, Double(t)))
        params[i] -= lr * mHat / (vHat.squareRoot() + eps)
    }
}

@Test func adamWMatchesNaiveReferenceOverSeveralStepsWithDecayOnlyWhereFlagged() {
    // Two segments: [0,5) decayed (a matrix), [5,8) not (a norm). Deterministic pseudo-random gradients.
    let n = 8
    let segments = [OptimizerSegment(offset: 0, count: 5, weightDecay: true),
                    OptimizerSegment(offset: 5, count: 3, weightDecay: false)]
    let opt = AdamW(count: n, segments: segments)
    var p: [Float] = (0..<n).map { Float($0) * 0.3 - 1 }
    var refP = p.map(Double.init), refM = [Double](repeating: 0, count: n), refV = refM
    let decay = (0..<n).map { $0 < 5 }
    var seed: UInt64 = 7
    for t in 1...6 {
        let g: [Float] = (0..<n).map { _ in
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: seed >> 11) % 2001 - 1000) / 500
        }
        let lr = 1e-2 * Double(t)
        p.withUnsafeMutableBufferPointer { pp in
            g.withUnsafeBufferPointer { opt.update(params: pp.baseAddress!, grads: $0.baseAddress!, lr: Float(lr)) }
        }
        referenceAdamW(params: &refP, m: &refM, v: &refV, grads: g.map(Double.init), decay: decay, t: t, lr: lr)
    }
    #expect(opt.stepCount == 6)
    // Float vs Double over 6 steps of O(1e-2) updates: 1e-5 absolute is ~100 ulps of the O(1) parameters.
    for i in 0..<n {
        #expect(abs(Double(p[i]) - refP[i]) < 1e-5, "param \(i): \(p[i]) vs \(refP[i])")
        #expect(abs(Double(opt.m[i]) - refM[i]) < 1e-5)
        #expect(abs(Double(opt.v[i]) - refV[i]) < 1e-5)
    }
}

@Test func weightDecayShrinksOnlyFlaggedParametersWhenGradientIsZero() {
    let opt = AdamW(count: 2, segments: [OptimizerSegment(offset: 0, count: 1, weightDecay: true),
                                         OptimizerSegment(offset: 1, count: 1, weightDecay: false)])
    var p: [Float] = [2, 2]
    let g: [Float] = [0, 0]
    p.withUnsafeMutableBufferPointer { pp in g.withUnsafeBufferPointer { opt.update(params: pp.baseAddress!, grads: $0.baseAddress!, lr: 0.5) } }
    // Decoupled decay: p·(1 − lr·λ) = 2·(1 − 0.05) = 1.9; the undecayed one stays (Adam step of a zero grad is 0).
    #expect(p[0] == 1.9)
    #expect(p[1] == 2)
}

@Test func firstAdamWStepMovesEachParameterByAboutTheLearningRate() {
    // With bias correction, step 1 is lr·g/(|g|+ε) = ±lr regardless of gradient scale.
    let opt = AdamW(count: 3, segments: [OptimizerSegment(offset: 0, count: 3, weightDecay: false)])
    var p: [Float] = [0, 0, 0]
    let g: [Float] = [1e-3, -50, 4]
    p.withUnsafeMutableBufferPointer { pp in g.withUnsafeBufferPointer { opt.update(params: pp.baseAddress!, grads: $0.baseAddress!, lr: 0.01) } }
    #expect(abs(p[0] + 0.01) < 1e-6 && abs(p[1] - 0.01) < 1e-6 && abs(p[2] + 0.01) < 1e-6)
}

@Test func scheduleWarmsUpLinearlyThenDecaysByCosineToTheFloor() {
    let s = LRSchedule(peak: 1e-3, minRatio: 0.1, warmup: 10, total: 110)
    #expect(abs(s.lr(step: 0) - 1e-4) < 1e-10)          // (0+1)/10 of peak (Float rounding only)
    #expect(abs(s.lr(step: 4) - 5e-4) < 1e-9)
    #expect(s.lr(step: 9) == 1e-3)                      // last warmup step at peak
    #expect(s.lr(step: 10) == 1e-3)                     // decay starts at peak
    // Midpoint of decay (p = 0.5): floor + ½(peak − floor) = 1e-4 + 4.5e-4.
    #expect(abs(s.lr(step: 60) - 5.5e-4) < 1e-9)
    // p = 0.25: floor + ½(1 + cos(π/4))·(peak − floor).
    let quarter = 1e-4 + 0.5 * (1 + cos(Double.pi / 4)) * 9e-4
    #expect(abs(Double(s.lr(step: 35)) - quarter) < 1e-9)
    #expect(abs(s.lr(step: 110) - 1e-4) < 1e-10)        // floor at total
    #expect(abs(s.lr(step: 500) - 1e-4) < 1e-10)        // and beyond
    let values = (10...110).map { s.lr(step: $0) }
    #expect(zip(values, values.dropFirst()).allSatisfy { $0 >= $1 })  // monotone decay
}

@Test func scheduleWithoutWarmupStartsAtPeak() {
    let s = LRSchedule(peak: 2e-3, minRatio: 0.5, warmup: 0, total: 4)
    #expect(s.lr(step: 0) == 2e-3)
    #expect(abs(s.lr(step: 2) - 1.5e-3) < 1e-9)
    #expect(abs(s.lr(step: 4) - 1e-3) < 1e-9)
}

@Test func clippingScalesToMaxNormAndReportsThePreClipNorm() {
    var g: [Float] = [3, 4, 0, 0]   // norm 5
    let norm = g.withUnsafeMutableBufferPointer { GradientClipping.clip($0.baseAddress!, count: 4, maxNorm: 1) }
    #expect(norm == 5)
    let after = g.withUnsafeBufferPointer { GradientClipping.globalNorm($0.baseAddress!, count: 4) }
    #expect(abs(after - 1) < 1e-6)                     // 1/(5+1e-6)·5 ≈ 1 − 2e-7
    #expect(abs(Double(g[0]) - 0.6) < 1e-6 && abs(Double(g[1]) - 0.8) < 1e-6)
}

@Test func clippingLeavesSmallGradientsAloneAndFlagsNonFinite() {
    var g: [Float] = [0.1, -0.2]
    let norm = g.withUnsafeMutableBufferPointer { GradientClipping.clip($0.baseAddress!, count: 2, maxNorm: 1) }
    #expect(abs(norm - (0.05 as Double).squareRoot()) < 1e-7)
    #expect(g == [0.1, -0.2])
    var bad: [Float] = [1, .nan, 2]
    let badNorm = bad.withUnsafeMutableBufferPointer { GradientClipping.clip($0.baseAddress!, count: 3, maxNorm: 1) }
    #expect(!badNorm.isFinite)
    #expect(bad[0] == 1 && bad[2] == 2)
    var inf: [Float] = [.infinity]
    #expect(!inf.withUnsafeMutableBufferPointer { GradientClipping.clip($0.baseAddress!, count: 1, maxNorm: 1) }.isFinite)
}

@Test func globalNormMatchesDoubleReferenceOnLongVectors() {
    let g: [Float] = (0..<10_007).map { Float(sin(Double($0))) }
    let ref = g.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
    let got = g.withUnsafeBufferPointer { GradientClipping.globalNorm($0.baseAddress!, count: g.count) }
    // Float partial sums over 256 terms of ≤1: relative error ≲ 256·2⁻²⁴ ≈ 1.5e-5 worst case.
    #expect(abs(got - ref) / ref < 2e-5)
}

@Test func modelOptimizerDecaysMatricesAndEmbeddingsButNeverNormsOrMHCAlphaAndBias() {
    let model = MHCModel(config: ModelConfig(vocabSize: 32, dModel: 16, nLayers: 1, nHeads: 2, ffnHidden: 32,
                                             maxSeqLen: 8, nStreams: 2, sinkhornIters: 3), seed: 1)
    let opt = AdamW(parameters: model.params)
    let decayed = Dictionary(uniqueKeysWithValues: zip(model.params.infos.map(\.name), opt.segments.map(\.weightDecay)))
    #expect(decayed["tok_emb.weight"] == true)
    #expect(decayed["blocks.0.attn.q_proj.weight"] == true && decayed["blocks.0.mlp.down_proj.weight"] == true)
    #expect(decayed["blocks.0.attn_norm.weight"] == false && decayed["final_norm.weight"] == false)
    #expect(decayed["blocks.0.attn_hc.alpha"] == false && decayed["blocks.0.mlp_hc.bias"] == false)
    #expect(opt.segments.map(\.offset) == model.params.infos.map(\.offset))
}
