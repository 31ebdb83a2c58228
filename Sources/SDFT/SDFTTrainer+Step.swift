import Generation
import Model
import Training

/// What one step's forward/backward produced (before clipping and the update).
struct StepLoss {
    var loss: Double
    /// Mean completion length (SDFT) or mean demonstration + EOS length (SFT), in tokens.
    var meanTokens: Double
    /// Fraction of sampled completions that ended with EOS (SDFT only).
    var eosRate: Double?
}

extension SDFTTrainer {
    /// Zeroes the student's grads, then accumulates ∂loss/∂θ of step index `s` into them.
    func lossAndGradients(step s: Int) throws -> StepLoss {
        let picked = order.indices(step: s, perStep: options.promptsPerStep)
        student.grads.zero()
        switch options.method {
        case .sdft: return try distillationGradients(picked, step: s)
        case .sft: return sftGradients(picked)
        }
    }

    /// SDFT: on-policy completions, teacher and student passes over the same completion ids, KL per token.
    private func distillationGradients(_ picked: [Int], step s: Int) throws -> StepLoss {
        guard let teacher else { preconditionFailure("SDFT needs a teacher") }
        let V = student.config.vocabSize
        let studentPrompts = picked.map { encoded[$0].student }
        let teacherPrompts = picked.map { encoded[$0].teacher }
        let sampling = SamplingOptions(temperature: 1, maxNewTokens: options.maxNewTokens, eosID: TextCodec.eos,
                                       seed: samplingSeed(step: s))
        let sampled = try Generator.generate(model: student, prompts: studentPrompts, options: sampling)
        let batch = DistillationBatch(studentPrompts: studentPrompts, teacherPrompts: teacherPrompts,
                                      completions: sampled.map(\.tokens))
        onBatch?(s + 1, batch)

        let studentPass = PaddedPass(prompts: batch.studentPrompts, completions: batch.completions)
        let teacherPass = PaddedPass(prompts: batch.teacherPrompts, completions: batch.completions)
        let N = batch.rowCount
        // rows: [N, V] each
        let teacherRows = UnsafeMutablePointer<Float>.allocate(capacity: N * V)
        let studentRows = UnsafeMutablePointer<Float>.allocate(capacity: N * V)
        let dRows = UnsafeMutablePointer<Float>.allocate(capacity: N * V)
        let dLogits = UnsafeMutablePointer<Float>.allocate(capacity: studentPass.batch * studentPass.seqLen * V)
        defer { teacherRows.deallocate(); studentRows.deallocate(); dRows.deallocate(); dLogits.deallocate() }

        let tLogits = teacher.forward(tokens: teacherPass.tokens, batch: teacherPass.batch, seqLen: teacherPass.seqLen)
        teacherPass.gather(logits: tLogits.baseAddress!, vocab: V, into: teacherRows)
        let sLogits = student.forward(tokens: studentPass.tokens, batch: studentPass.batch, seqLen: studentPass.seqLen)
        studentPass.gather(logits: sLogits.baseAddress!, vocab: V, into: studentRows)

        let weights = sdftRowWeights(completionLengths: batch.completionLengths, skip: options.skipTokens)
        let loss = distillationLoss(student: studentRows, teacher: teacherRows, rows: N, vocab: V, weights: weights,
                                    direction: options.kl, dStudent: dRows)
        guard loss.isFinite else { throw nonFinite("distillation loss is \(loss)", step: s + 1) }
        studentPass.scatter(rows: dRows, vocab: V, into: dLogits)
        student.backward(dLogits: dLogits)
        let eos = sampled.filter(\.stoppedAtEOS).count
        return StepLoss(loss: loss, meanTokens: Double(N) / Double(picked.count),
                        eosRate: Double(eos) / Double(picked.count))
    }

    /// SFT: mean cross-entropy over the demonstration + EOS tokens of the batch, prompt positions ignored.
    private func sftGradients(_ picked: [Int]) -> StepLoss {
        let V = student.config.vocabSize
        let batch = SFTBatch(prompts: picked.map { encoded[$0].student },
                             demonstrations: picked.map { encoded[$0].demonstration })
        let dLogits = UnsafeMutablePointer<Float>.allocate(capacity: batch.batch * batch.seqLen * V)
        defer { dLogits.deallocate() }
        let logits = student.forward(tokens: batch.tokens, batch: batch.batch, seqLen: batch.seqLen)
        let (loss, count) = crossEntropyLoss(logits: logits.baseAddress!, targets: batch.targets, vocab: V,
                                             ignoreIndex: -1, dLogits: dLogits)
        if loss.isFinite { student.backward(dLogits: dLogits) }
        return StepLoss(loss: loss, meanTokens: Double(count) / Double(picked.count), eosRate: nil)
    }

    /// Clip, AdamW at the step's rate, then (SDFT) the EMA teacher update. Returns the pre-clip grad norm.
    func applyUpdate(step s: Int) throws -> Double {
        afterBackward?(s + 1, student.grads)
        let norm = GradientClipping.clip(student.grads.data, count: student.grads.count, maxNorm: options.clip)
        guard norm.isFinite else { throw nonFinite("gradient norm is \(norm)", step: s + 1) }
        optimizer.update(params: student.params.data, grads: student.grads.data, lr: schedule.lr(step: s))
        if let teacher {
            emaUpdate(teacher: teacher.params.data, student: student.params.data, count: student.params.count,
                      rate: options.emaRate)
        }
        return norm
    }
}
