import ArgumentParser
import CBLAS
import Dispatch
import Foundation
import Tensor

/// `discover bench mhc`: time the mHC kernels at one shape (default: model_mhc_tiny, batch 8 × 256).
struct BenchMHCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mhc",
        abstract: "Time the mHC kernels (coefficients, Sinkhorn, stream mixing) on random data.")

    @Option(help: "Token rows N (batch × sequence length).") var rows = 2048
    @Option(help: "Number of streams n.") var streams = 4
    @Option(help: "Model width C (d_model).") var width = 256
    @Option(help: "Sinkhorn iterations.") var sinkhornIters = 20
    @Option(help: "Threads for our loops and for OpenBLAS.") var threads = 2
    @Option(help: "Timed repetitions per kernel (the fastest is reported: on a shared machine it is the best estimate of the kernel's own cost).") var repeats = 20
    @Option(help: "mHC sub-layers per training step, for the per-step estimate (2 × n_layers).") var subLayers = 12

    func validate() throws {
        guard rows >= 1 else { throw ValidationError("--rows must be at least 1 (got \(rows))") }
        guard streams >= 1 else { throw ValidationError("--streams must be at least 1 (got \(streams))") }
        guard width >= 1 else { throw ValidationError("--width must be at least 1 (got \(width))") }
        guard sinkhornIters >= 0 else { throw ValidationError("--sinkhorn-iters must be ≥ 0 (got \(sinkhornIters))") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1 (got \(threads))") }
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1 (got \(repeats))") }
    }

    func run() throws {
        openblas_set_num_threads(Int32(threads))
        let n = streams, c = width, k = mhcCoefficientCount(streams: n), it = sinkhornIters, th = threads
        var seed: UInt64 = 0x5EED
        func buffer(_ count: Int, scale: Float) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: count)
            for q in 0..<count {
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                p[q] = (Float(seed >> 40) / Float(1 << 24) * 2 - 1) * scale
            }
            return p
        }
        let x = buffer(rows * n * c, scale: 1), y = buffer(rows * c, scale: 1)
        let phi = buffer(k * n * c, scale: 0.02), alpha = buffer(3, scale: 1), bias = buffer(k, scale: 1)
        let hPre = buffer(rows * n, scale: 0), hPost = buffer(rows * n, scale: 0), hRes = buffer(rows * n * n, scale: 0)
        let u = buffer(rows * c, scale: 0), out = buffer(rows * n * c, scale: 0)
        let dOut = buffer(rows * n * c, scale: 1), dU = buffer(rows * c, scale: 1)
        let dX = buffer(rows * n * c, scale: 0), dY = buffer(rows * c, scale: 0), dPhi = buffer(k * n * c, scale: 0)
        let dAlpha = buffer(3, scale: 0), dBias = buffer(k, scale: 0)
        let dHPre = buffer(rows * n, scale: 0), dHPost = buffer(rows * n, scale: 1), dHRes = buffer(rows * n * n, scale: 1)
        let composite = buffer(rows * n * n, scale: 0)
        let cache = MHCCoefficientCache.allocate(rows: rows, streams: n)
        let cache1 = MHCCoefficientCache.allocate(rows: 1, streams: n)

        func median(_ body: () -> Void) -> Double {
            body()
            var times: [Double] = []
            for _ in 0..<repeats {
                let t0 = DispatchTime.now().uptimeNanoseconds
                body()
                times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
            }
            return times.min()!
        }
        var results: [(String, Double, String)] = []
        let xBytes = Double(rows * n * c * 4)
        func gbps(_ bytes: Double, _ ms: Double) -> String { String(format: "%.1f GB/s", bytes / ms / 1e6) }

        let coefFwd = median {
            mhcCoefficientsForward(x: x, phi: phi, alpha: alpha, bias: bias, hPre: hPre, hPost: hPost, hRes: hRes,
                                   cache: cache, rows: rows, streams: n, width: c, eps: 1e-5, sinkhornIterations: it,
                                   preAggregate: u, threads: th)
        }
        let projectionFlops = 2.0 * Double(rows * n * c * k)
        results.append(("coefficients+pre forward", coefFwd,
                        String(format: "%.1f GFLOP/s (projection only)", projectionFlops / coefFwd / 1e6)))
        let coefBwd = median {
            mhcCoefficientsBackward(dHPre: nil, dHPost: dHPost, dHRes: dHRes, x: x, phi: phi, alpha: alpha, bias: bias,
                                    cache: cache, dX: dX, dPhi: dPhi, dAlpha: dAlpha, dBias: dBias,
                                    rows: rows, streams: n, width: c, sinkhornIterations: it,
                                    preAggregateGradient: dU, threads: th)
        }
        results.append(("coefficients+pre backward", coefBwd, ""))
        let sinkOnly = median {
            mhcCoefficientsForward(x: x, phi: phi, alpha: alpha, bias: bias, hPre: hPre, hPost: hPost, hRes: hRes,
                                   cache: cache, rows: rows, streams: n, width: c, eps: 1e-5, sinkhornIterations: 0,
                                   preAggregate: u, threads: th)
        }
        results.append(("  (forward with 0 Sinkhorn iterations)", sinkOnly, ""))
        let postFwd = median {
            mhcPostResMixForward(x: x, y: y, hPost: hPost, hRes: hRes, out: out, rows: rows, streams: n, width: c, threads: th)
        }
        results.append(("post/res mix forward", postFwd, gbps(2 * xBytes + xBytes / Double(n), postFwd)))
        let postBwd = median {
            mhcPostResMixBackward(dOut: dOut, x: x, y: y, hPost: hPost, hRes: hRes, dX: dX, dY: dY,
                                  dHPost: dHPost, dHRes: dHRes, rows: rows, streams: n, width: c, threads: th)
        }
        results.append(("post/res mix backward", postBwd, gbps(4 * xBytes + 3 * xBytes / Double(n), postBwd)))
        let preFwd = median {
            mhcPreAggregateForward(x: x, hPre: hPre, u: u, rows: rows, streams: n, width: c, threads: th)
        }
        results.append(("pre-aggregate forward (unfused)", preFwd, gbps(xBytes + xBytes / Double(n), preFwd)))
        let preBwd = median {
            mhcPreAggregateBackward(dU: dU, x: x, hPre: hPre, dX: dX, dHPre: dHPre, rows: rows, streams: n, width: c, threads: th)
        }
        results.append(("pre-aggregate backward (unfused)", preBwd, gbps(3 * xBytes + xBytes / Double(n), preBwd)))
        let hundredTokens = median {
            for r in 0..<100 {
                mhcCoefficientsForward(x: x + (r % rows) * n * c, phi: phi, alpha: alpha, bias: bias,
                                       hPre: hPre, hPost: hPost, hRes: hRes, cache: cache1,
                                       rows: 1, streams: n, width: c, eps: 1e-5, sinkhornIterations: it,
                                       preAggregate: u, threads: th)
            }
        }
        let oneToken = hundredTokens / 100
        results.append(("coefficients+pre forward, N = 1", oneToken, ""))
        let amax = median {
            mhcCompositeAccumulate(composite: composite, hRes: hRes, rows: rows, streams: n)
        }
        results.append(("Amax composite accumulate", amax, ""))
        let perStep = Double(subLayers) * (coefFwd + coefBwd + postFwd + postBwd)

        print("mHC kernels: N \(rows), n \(n), C \(c), K \(k), Sinkhorn iterations \(it), threads \(th), fastest of \(repeats)")
        print(String(repeating: "-", count: 78))
        for (name, ms, note) in results {
            print(name.padding(toLength: 40, withPad: " ", startingAt: 0) + String(format: "%10.3f ms   ", ms) + note)
        }
        print(String(repeating: "-", count: 78))
        print(String(format: "per training step, %d sub-layers (fwd+bwd, no Amax)   %10.3f ms", subLayers, perStep))
        var json = "{\"bench\":\"mhc\",\"rows\":\(rows),\"streams\":\(n),\"width\":\(c),\"sinkhorn_iters\":\(it),\"threads\":\(th)"
        json += String(format: ",\"coefficients_forward_ms\":%.4f,\"coefficients_backward_ms\":%.4f", coefFwd, coefBwd)
        json += String(format: ",\"coefficients_forward_no_sinkhorn_ms\":%.4f", sinkOnly)
        json += String(format: ",\"post_mix_forward_ms\":%.4f,\"post_mix_backward_ms\":%.4f", postFwd, postBwd)
        json += String(format: ",\"pre_aggregate_forward_ms\":%.4f,\"pre_aggregate_backward_ms\":%.4f", preFwd, preBwd)
        json += String(format: ",\"single_token_forward_ms\":%.5f,\"amax_accumulate_ms\":%.4f", oneToken, amax)
        json += String(format: ",\"per_step_ms\":%.3f,\"sub_layers\":%d}", perStep, subLayers)
        print(json)
    }
}
