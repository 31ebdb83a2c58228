import Model

extension AdamW {
    /// An optimizer over a model's parameter slab: one segment per tensor, decayed where
    /// `ParameterInfo.weightDecay` says so (matrices and embeddings; never norms or mHC α/bias).
    public convenience init(parameters: ParameterSet, weightDecay: Float = 0.1, beta1: Float = 0.9,
                            beta2: Float = 0.95, eps: Float = 1e-8) {
        self.init(count: parameters.count,
                  segments: parameters.infos.map {
                      OptimizerSegment(offset: $0.offset, count: $0.count, weightDecay: $0.weightDecay)
                  },
                  beta1: beta1, beta2: beta2, eps: eps, weightDecay: weightDecay)
    }

    /// The moments as checkpoint extras, `optimizer.m.NAME` / `optimizer.v.NAME` with each parameter's shape.
    /// The buffers alias this optimizer's slabs: use them before the next update.
    public func checkpointTensors(layout: ParameterSet) -> [String: (shape: [Int], data: UnsafeBufferPointer<Float>)] {
        var extra: [String: (shape: [Int], data: UnsafeBufferPointer<Float>)] = [:]
        for info in layout.infos {
            extra["optimizer.m." + info.name] = (info.shape, UnsafeBufferPointer(start: m.baseAddress! + info.offset, count: info.count))
            extra["optimizer.v." + info.name] = (info.shape, UnsafeBufferPointer(start: v.baseAddress! + info.offset, count: info.count))
        }
        return extra
    }

    /// Restores both moments from checkpoint extras; errors name the file and the missing or mis-sized tensor.
    public func restoreMoments(_ extra: [String: [Float]], layout: ParameterSet, file: String) throws {
        for info in layout.infos {
            for (prefix, slab) in [("optimizer.m.", m), ("optimizer.v.", v)] {
                guard let values = extra[prefix + info.name] else {
                    throw TrainingError("\(file): tensor '\(prefix + info.name)' is missing; the checkpoint has no optimizer state to resume from")
                }
                guard values.count == info.count else {
                    throw TrainingError("\(file): tensor '\(prefix + info.name)' has \(values.count) values, expected \(info.count)")
                }
                values.withUnsafeBufferPointer { (slab.baseAddress! + info.offset).update(from: $0.baseAddress!, count: info.count) }
            }
        }
    }
}
