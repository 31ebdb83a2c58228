// Per-token full-vocabulary divergence between a student and a teacher distribution: the SDFT loss head.
//
// Legend: N rows (completion positions), V vocabulary.
// Each row holds the logits that predict one completion token: the student's from its own context, the
// teacher's from the demonstration-conditioned context, over the very same completion token ids.
//
// forward  KL(teacher ‖ student) = Σ_v p_t(v) · (log p_t(v) − log p_s(v));   ∂/∂s_j = p_s(j) − p_t(j)
// reverse  KL(student ‖ teacher) = Σ_v p_s(v) · (log p_s(v) − log p_t(v));   ∂/∂s_j = p_s(j)·(log p_s(j) − log p_t(j) − KL)
//
// Accumulation is in Double: rows are summed over up to 32k classes and the per-row result is a small
// difference of large terms; Float would lose ~3 digits on the reverse direction.

/// Which divergence SDFT minimises. Forward is what the published results used (the authors' correction).
public enum KLDirection: String, Sendable, CaseIterable, Codable {
    /// KL(teacher ‖ student).
    case forward
    /// KL(student ‖ teacher).
    case reverse
}

/// Log-softmax of one row into `out` (Double), returning nothing; `row` has `count` logits.
@inline(__always)
func logSoftmaxRow(_ row: UnsafePointer<Float>, count: Int, into out: UnsafeMutablePointer<Double>) {
    var maxValue = -Double.infinity
    for v in 0..<count { maxValue = max(maxValue, Double(row[v])) }
    var sum = 0.0
    for v in 0..<count { sum += _exp(Double(row[v]) - maxValue) }
    let logZ = maxValue + _log(sum)
    for v in 0..<count { out[v] = Double(row[v]) - logZ }
}

@inline(__always) func _exp(_ x: Double) -> Double { x.isInfinite && x < 0 ? 0 : Foundation.exp(x) }
@inline(__always) func _log(_ x: Double) -> Double { Foundation.log(x) }

import Foundation

/// Weighted sum of per-row divergences, with the gradient with respect to the student logits.
///
/// - Parameters:
///   - student: `[N, V]` student logits.
///   - teacher: `[N, V]` teacher logits (no gradient flows into them).
///   - weights: `[N]` per-row weights; 0 masks a row (skipped tokens). The SDFT mean over a sequence's tokens
///     and then over the batch is expressed through these weights (see `sdftRowWeights`).
///   - dStudent: if non-nil, `[N, V]` receives `weights[i] · ∂KL_i/∂student_i` (overwritten, not accumulated).
/// - Returns: `Σ_i weights[i] · KL_i`.
public func distillationLoss(student: UnsafePointer<Float>, teacher: UnsafePointer<Float>, rows: Int, vocab: Int,
                             weights: [Float], direction: KLDirection,
                             dStudent: UnsafeMutablePointer<Float>?) -> Double {
    precondition(weights.count == rows, "weights must have one entry per row")
    let logPS = UnsafeMutablePointer<Double>.allocate(capacity: vocab)
    let logPT = UnsafeMutablePointer<Double>.allocate(capacity: vocab)
    defer { logPS.deallocate(); logPT.deallocate() }
    var total = 0.0
    for i in 0..<rows {
        let w = Double(weights[i])
        let grad = dStudent.map { $0 + i * vocab }
        if w == 0 {
            if let grad { grad.update(repeating: 0, count: vocab) }
            continue
        }
        logSoftmaxRow(student + i * vocab, count: vocab, into: logPS)
        logSoftmaxRow(teacher + i * vocab, count: vocab, into: logPT)
        var kl = 0.0
        switch direction {
        case .forward:
            for v in 0..<vocab {
                let pt = _exp(logPT[v])
                if pt > 0 { kl += pt * (logPT[v] - logPS[v]) }
            }
            if let grad {
                for v in 0..<vocab { grad[v] = Float(w * (_exp(logPS[v]) - _exp(logPT[v]))) }
            }
        case .reverse:
            for v in 0..<vocab {
                let ps = _exp(logPS[v])
                if ps > 0 { kl += ps * (logPS[v] - logPT[v]) }
            }
            if let grad {
                for v in 0..<vocab {
                    let ps = _exp(logPS[v])
                    grad[v] = Float(w * ps * (logPS[v] - logPT[v] - kl))
                }
            }
        }
        total += w * kl
    }
    return total
}

/// Row weights that turn `Σ w_i·KL_i` into "mean over each sequence's unmasked tokens, then mean over
/// sequences". Sequences with no unmasked token (completion no longer than `skip`) are left out of the
/// batch mean rather than counted as zero.
///
/// - Parameters:
///   - completionLengths: number of completion tokens of each sequence, in row order.
///   - skip: the first `skip` completion tokens of each sequence get weight 0.
public func sdftRowWeights(completionLengths: [Int], skip: Int) -> [Float] {
    let contributing = completionLengths.filter { $0 > skip }.count
    var weights: [Float] = []
    weights.reserveCapacity(completionLengths.reduce(0, +))
    for length in completionLengths {
        let kept = max(0, length - skip)
        for k in 0..<length {
            weights.append(k < skip || kept == 0 ? 0 : Float(1.0 / (Double(kept) * Double(contributing))))
        }
    }
    return weights
}
