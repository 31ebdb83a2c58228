import ArgumentParser
import CBLAS
import Foundation
import Model
import Tensor
import Training

/// `discover bench train`: training-step speed of a model config (forward + backward + AdamW update),
/// model FLOPs utilisation against the sgemm peak measured in the same run, and the time overhead of
/// mHC against the same config with n_streams = 1.
struct BenchTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Tokens/s, ms per optimizer step and MFU of a training step; mHC overhead vs n_streams = 1.",
        discussion: """
        Model FLOPs per token = 6·parameters + 12·n_layers·seq_len·d_model (attention scores and values, \
        forward and backward, full T×T as in PaLM's MFU). The peak is the best sgemm GFLOP/s over square \
        sizes 1024–2048, with OpenBLAS's own threads or split over ours (whichever is faster), measured with \
        the same thread count just before the model runs.
        """)

    @Option(help: "Model config JSON.") var model: String = "configs/model_mhc_tiny.json"
    @Option(help: "Sequences per step.") var batch: Int = 8
    @Option(help: "Tokens per sequence (default: the config's max_seq_len).") var seqLen: Int?
    @Option(help: "Threads for OpenBLAS and our kernels.") var threads: Int = 2
    @Option(help: "Timed steps per model (after warm-up).") var steps: Int = 6
    @Option(help: "Untimed warm-up steps per model.") var warmup: Int = 2
    @Flag(help: "Skip the n_streams = 1 comparison run.") var skipBaseline = false
    @Option(help: "sgemm threading: split (our workers, OpenBLAS single-threaded; default) or openblas.")
    var blasThreading: String = "split"

    var blasMode: Parallel.BLASThreading { Parallel.BLASThreading(rawValue: blasThreading) ?? .split }

    func validate() throws {
        if batch < 1 || steps < 1 || warmup < 0 || threads < 1 {
            throw ValidationError("--batch, --steps and --threads must be at least 1, --warmup at least 0")
        }
        if Parallel.BLASThreading(rawValue: blasThreading) == nil {
            throw ValidationError("--blas-threading must be split or openblas (got '\(blasThreading)')")
        }
    }

    struct Result {
        let label: String, params: Int, msPerStep: Double, msMin: Double, tokensPerSecond: Double
        let flopsPerToken: Double, mfu: Double, loss: Double
        let cpuMsPerStep: Double, cpuMFU: Double
    }

    /// CPU seconds used by the whole process (all threads).
    static func cpuSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    func run() throws {
        let config: ModelConfig
        do { config = try ModelConfig.load(path: model) } catch { throw ModelCommandError("\(error)") }
        let T = seqLen ?? config.maxSeqLen
        guard T <= config.maxSeqLen else { throw ModelCommandError("--seq-len \(T) exceeds max_seq_len \(config.maxSeqLen)") }
        FileHandle.standardError.write(Data("measuring sgemm peak with \(threads) thread(s)...\n".utf8))
        let (peak, cpuPeak) = Self.sgemmPeak(threads: threads)
        Parallel.setThreads(threads, blas: blasMode)
        var results = [try measure(config, label: "mHC n=\(config.nStreams)", T: T, peak: peak, cpuPeak: cpuPeak)]
        if !skipBaseline && config.nStreams > 1 {
            var plain = config
            plain.nStreams = 1
            results.append(try measure(plain, label: "n=1 baseline", T: T, peak: peak, cpuPeak: cpuPeak))
        }
        let overhead = results.count == 2 ? results[0].msPerStep / results[1].msPerStep - 1 : nil

        print("bench train: \(model), batch \(batch) × \(T) tokens, \(threads) thread(s) (sgemm threading: \(blasMode.rawValue)), \(steps) timed steps")
        print("sgemm peak: \(String(format: "%.1f", peak / 1e9)) GFLOP/s wall clock, "
              + "\(String(format: "%.1f", cpuPeak / 1e9)) GFLOP per CPU-second × \(threads) thread(s)")
        print(pad("model", 14) + pad("params", 11) + pad("ms/step", 10) + pad("min ms", 10) + pad("tokens/s", 10)
              + pad("GFLOP/tok", 11) + pad("MFU", 8) + pad("CPU ms", 10) + pad("CPU MFU", 9) + "loss")
        for r in results {
            print(pad(r.label, 14) + pad("\(r.params)", 11) + pad(String(format: "%.1f", r.msPerStep), 10)
                  + pad(String(format: "%.1f", r.msMin), 10) + pad(String(format: "%.0f", r.tokensPerSecond), 10)
                  + pad(String(format: "%.4f", r.flopsPerToken / 1e9), 11) + pad(String(format: "%.1f%%", 100 * r.mfu), 8)
                  + pad(String(format: "%.1f", r.cpuMsPerStep), 10) + pad(String(format: "%.1f%%", 100 * r.cpuMFU), 9)
                  + String(format: "%.4f", r.loss))
        }
        if let overhead { print("mHC overhead vs n_streams = 1: \(String(format: "%.1f%%", 100 * overhead))") }
        print("(CPU columns use process CPU time, for peak and steps alike: less sensitive to other load on the machine)")

        var json = "{\"bench\":\"train\",\"model\":\"\(model)\",\"batch\":\(batch),\"seq_len\":\(T),\"threads\":\(threads),\"blas_threading\":\"\(blasMode.rawValue)\","
        json += "\"steps\":\(steps),\"sgemm_peak_gflops\":\(round3(peak / 1e9)),\"sgemm_peak_gflops_cpu\":\(round3(cpuPeak / 1e9))"
        for (r, key) in zip(results, ["mhc", "baseline"]) {
            json += ",\"\(key)\":{\"n_streams\":\(key == "mhc" ? config.nStreams : 1),\"params\":\(r.params),"
            json += "\"ms_per_step\":\(round3(r.msPerStep)),\"ms_min\":\(round3(r.msMin)),"
            json += "\"tokens_per_s\":\(round3(r.tokensPerSecond)),\"flops_per_token\":\(r.flopsPerToken),\"mfu\":\(round3(r.mfu)),"
            json += "\"cpu_ms_per_step\":\(round3(r.cpuMsPerStep)),\"cpu_mfu\":\(round3(r.cpuMFU))}"
        }
        if let overhead { json += ",\"mhc_overhead\":\(round3(overhead))" }
        if results.count == 2 { json += ",\"mhc_overhead_cpu\":\(round3(results[0].cpuMsPerStep / results[1].cpuMsPerStep - 1))" }
        print(json + "}")
    }

    func measure(_ config: ModelConfig, label: String, T: Int, peak: Double, cpuPeak: Double) throws -> Result {
        let m = MHCModel(config: config, seed: 1)
        // fixed pseudo-random tokens: inputs do not affect timing, any in-range ids do
        var gen: UInt64 = 0x1234_5678
        func next() -> Int32 { gen = gen &* 6364136223846793005 &+ 1442695040888963407; return Int32((gen >> 33) % UInt64(config.vocabSize)) }
        let tokens = (0..<(batch * T)).map { _ in next() }
        let targets = (0..<(batch * T)).map { _ in next() }
        let opt = AdamW(count: m.params.count, segments: m.params.infos.map {
            OptimizerSegment(offset: $0.offset, count: $0.count, weightDecay: $0.weightDecay)
        })
        var dLogits = [Float](repeating: 0, count: batch * T * config.vocabSize)
        var times: [Double] = [], cpuTimes: [Double] = []
        var lastLoss = 0.0
        for step in 0..<(warmup + steps) {
            let start = DispatchTime.now().uptimeNanoseconds, cpuStart = Self.cpuSeconds()
            m.grads.zero()
            let logits = m.forward(tokens: tokens, batch: batch, seqLen: T)
            lastLoss = dLogits.withUnsafeMutableBufferPointer { d in
                crossEntropyLoss(logits: logits.baseAddress!, targets: targets, vocab: config.vocabSize,
                                 ignoreIndex: -1, dLogits: d.baseAddress!).loss
            }
            m.backward(dLogits: dLogits)
            opt.update(params: m.params.data, grads: m.grads.data, lr: 1e-4)
            let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
            if step >= warmup { times.append(ms); cpuTimes.append((Self.cpuSeconds() - cpuStart) * 1000) }
            FileHandle.standardError.write(Data("\(label): step \(step + 1)/\(warmup + steps) \(String(format: "%.1f", ms)) ms\(step < warmup ? " (warm-up)" : "")\n".utf8))
        }
        let mean = times.reduce(0, +) / Double(times.count)
        let params = m.parameterCount
        let flopsPerToken = 6.0 * Double(params) + 12.0 * Double(config.nLayers * T * config.dModel)
        let tps = Double(batch * T) / (mean / 1000)
        let cpuMean = cpuTimes.reduce(0, +) / Double(cpuTimes.count)
        // CPU MFU: model FLOPs per CPU-second against sgemm FLOPs per CPU-second (both counted over all threads)
        let cpuMFU = flopsPerToken * Double(batch * T) / (cpuMean / 1000) / cpuPeak
        return Result(label: label, params: params, msPerStep: mean, msMin: times.min()!, tokensPerSecond: tps,
                      flopsPerToken: flopsPerToken, mfu: flopsPerToken * tps / peak, loss: lastLoss,
                      cpuMsPerStep: cpuMean, cpuMFU: cpuMFU)
    }

    /// Best sgemm FLOP/s over square sizes 1024, 1536, 2048 (3 runs each after one warm-up), by wall clock
    /// and per CPU-second, taking the better of OpenBLAS's own threading and our split (`matmulForward`).
    static func sgemmPeak(threads: Int) -> (wall: Double, cpu: Double) {
        var best = 0.0, bestCPU = 0.0
        for mode in Parallel.BLASThreading.allCases {
            Parallel.setThreads(threads, blas: mode)
            for n in [1024, 1536, 2048] {
                let a = [Float](repeating: 0.5, count: n * n), b = [Float](repeating: 0.25, count: n * n)
                var c = [Float](repeating: 0, count: n * n)
                for rep in 0..<4 {
                    let start = DispatchTime.now().uptimeNanoseconds, cpuStart = cpuSeconds()
                    matmulForward(&c, a, b, N: n, I: n, O: n)
                    let s = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                    let cpu = cpuSeconds() - cpuStart
                    let flops = 2 * Double(n) * Double(n) * Double(n)
                    if rep > 0 { best = max(best, flops / s); bestCPU = max(bestCPU, flops / cpu) }
                }
            }
        }
        return (best, bestCPU)
    }

    private func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s + " " : s + String(repeating: " ", count: w - s.count) }
    private func round3(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }
}
