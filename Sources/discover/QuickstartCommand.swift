import ArgumentParser
import Discover
import Foundation
import SafeTensors
import Training

/// `discover quickstart`: the whole pipeline on the built-in corpus, each stage reused when already done:
/// prepare data → pretrain the tiny model → a short SDFT pass → TTT-Discover and best-of-N on
/// `toy/target-string-v0` at equal sample budgets → the discovery curve and where every artifact is.
struct QuickstartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quickstart",
        abstract: "Prepare data, pretrain the tiny model, a short SDFT pass, then TTT-Discover vs best-of-N on the toy environment.",
        discussion: """
        Layout of --out: data/ (tokenizer + token shards; data/echo/: the spelled echo documents), pretrain/ \
        (checkpoints, metrics), pretrain-echo/ (the second pretraining phase, on data/echo), sdft/ (a short \
        self-distillation pass on configs/data/sdft_demo.jsonl), ttt_start.safetensors (the model both methods start from), ttt/ and best-of-n/ (discovery runs). \
        Re-running reuses finished stages and resumes interrupted ones.
        """)

    /// Pretraining length of the quickstart (tiny model, 8 × 128 tokens per step) on the built-in corpus...
    static let pretrainSteps = 600
    /// ...then on its spelled echo documents alone (`--corpus-kinds spelledTarget`, this many bytes).
    static let echoSteps = 600
    static let echoCorpusBytes = 1_500_000
    /// The short SDFT pass: steps (4 demonstrations each) on the shipped demonstration file.
    static let sdftSteps = 20
    static let sdftData = "configs/data/sdft_demo.jsonl"

    /// The discovery settings of the quickstart, the same as `configs/bench/toy.json`'s `ttt` row (chosen on
    /// pilot runs with this model, docs/benchmarks.md (TTT-Discover vs best-of-N)): 64 steps × 2 groups × 8 =
    /// 1024 samples, the echo prompt (strings spelled letter by letter), 10 new tokens (8 letters, the newline,
    /// one spare), the entropic objective with adaptive β at lr 2e-3 (1e-3 learns too slowly for this budget).
    static let tttArguments = ["--env-arg", "prompt=echo", "--steps", "64", "--groups", "2", "--group-size", "8",
                               "--max-new-tokens", "10", "--objective", "entropic-adaptive", "--lr", "2e-3", "--kl-coef", "0.1"]

    @Option(help: "Output folder.") var out = "runs/quickstart"
    @Option(help: "Compute threads (default: all cores).") var threads: Int?
    @Option(help: "Seed of the discovery runs.") var seed: UInt64 = 0

    func run() async throws {
        let start = Date()
        let fm = FileManager.default
        try fm.createDirectory(atPath: out, withIntermediateDirectories: true)
        let threadArgs = threads.map { ["--threads", String($0)] } ?? []

        // 1. Data.
        let data = out + "/data"
        let spm = data + "/tokenizer/spm.model", train = data + "/packed/train.bin", val = data + "/packed/val.bin"
        if [spm, train, val].allSatisfy(fm.fileExists) {
            print("[1/4] data: reusing \(data)")
        } else {
            print("[1/4] data: training the tokenizer and packing the built-in corpus → \(data)")
            try PrepareDataCommand.parse(["--out", data]).run()
        }

        // 2. Pretrain: the built-in corpus, then a second phase on its spelled echo documents alone (the toy
        // environment's format: the model learns to answer with a string of the target's length, letter by letter).
        let pretrainDir = out + "/pretrain"
        let latest = pretrainDir + "/ckpt_latest.safetensors"
        func phase(_ trainBin: String, _ valBin: String, warmup: Int) -> [String] {
            ["--train-bin", trainBin, "--val-bin", valBin, "--tokenizer", spm, "--warmup", String(warmup),
             "--save-every", "100", "--eval-every", "200", "--eval-windows", "16"] + threadArgs
        }
        let general = phase(train, val, warmup: 50)
        guard try Self.pretrainPhase(dir: pretrainDir, steps: Self.pretrainSteps, arguments: general, initFrom: nil,
                                     label: "[2/4] pretrain: \(Self.pretrainSteps) steps of the tiny model (configs/model_mhc_tiny.json) on the built-in corpus")
        else { return }
        let echoData = data + "/echo"
        let echoTrain = echoData + "/packed/train.bin", echoVal = echoData + "/packed/val.bin"
        if ![echoTrain, echoVal].allSatisfy(fm.fileExists) {
            print("[2/4] pretrain: packing the corpus's spelled echo documents → \(echoData)")
            try PrepareDataCommand.parse(["--out", echoData, "--tokenizer", spm, "--corpus-kinds", "spelledTarget",
                                          "--corpus-bytes", String(Self.echoCorpusBytes), "--seed", "1"]).run()
        }
        let echoDir = out + "/pretrain-echo"
        let echoLatest = echoDir + "/ckpt_latest.safetensors"
        let echo = phase(echoTrain, echoVal, warmup: 20)
        guard try Self.pretrainPhase(dir: echoDir, steps: Self.echoSteps, arguments: echo, initFrom: latest,
                                     label: "[2/4] pretrain: \(Self.echoSteps) more steps on the spelled echo documents")
        else { return }

        // 3. SDFT: a short self-distillation pass on the shipped demonstrations.
        let sdftDir = out + "/sdft"
        let sdftLatest = sdftDir + "/sdft_latest.safetensors"
        let sdftDone = Self.pretrainStep(sdftLatest)
        if let sdftDone, sdftDone.step >= sdftDone.total {
            print("[3/4] sdft: reusing \(sdftLatest) (step \(sdftDone.step))")
        } else {
            var args = ["--data", Self.sdftData, "--out", sdftDir, "--steps", String(Self.sdftSteps),
                        "--warmup", "2", "--eval-every", "0", "--save-every", "10"] + threadArgs
            if sdftDone != nil { args += ["--resume", sdftLatest] } else { args += ["--ckpt", echoLatest] }
            print("[3/4] sdft: \(Self.sdftSteps) self-distillation steps on \(Self.sdftData) → \(sdftDir)"
                  + (sdftDone.map { " (resuming at step \($0.step))" } ?? ""))
            try SDFTCommand.parse(args).run()
            guard let after = Self.pretrainStep(sdftLatest), after.step >= after.total else {
                print("sdft stopped before the end; run the quickstart again to continue")
                return
            }
        }
        let startCkpt = out + "/ttt_start.safetensors"
        if !fm.fileExists(atPath: startCkpt) {
            let tmp = startCkpt + ".tmp"
            try? fm.removeItem(atPath: tmp)
            try fm.copyItem(atPath: sdftLatest, toPath: tmp)
            guard rename(tmp, startCkpt) == 0 else { throw CLIError("cannot rename \(tmp) to \(startCkpt)") }
        }

        // 4. Discovery: TTT and best-of-N at the same budget.
        var summaries: [DiscoverySummary] = []
        for (method, dir) in [(DiscoverMethod.ttt, "ttt"), (.bestOfN, "best-of-n")] {
            let runDir = out + "/" + dir
            let resume = fm.fileExists(atPath: runDir + "/ttt_state.json")
            print("[4/4] \(method.rawValue) on toy/target-string-v0 → \(runDir)" + (resume ? " (reusing/resuming)" : ""))
            var args = ["--ckpt", startCkpt, "--env", "toy/target-string-v0", "--out", runDir,
                        "--seed", String(seed)] + Self.tttArguments + threadArgs
            if resume { args.append("--resume") }
            let options = try DiscoverRunOptions.parse(args)
            summaries.append(try await runDiscovery(options: options, method: method))
            if SignalMonitor.shared.pendingSignal() != nil { return }
        }

        // The discovery curve.
        print("\ndiscovery curve on toy/target-string-v0 (best reward so far):")
        print("samples   ttt      best-of-n")
        let ttt = summaries[0].curve, bon = summaries[1].curve
        for i in 0..<max(ttt.count, bon.count) {
            let s = i < ttt.count ? ttt[i].samples : bon[i].samples
            func f(_ c: [CurvePoint]) -> String { i < c.count ? c[i].best.map { String(format: "%.4f", $0) } ?? "-     " : "      " }
            print(String(format: "%7d   ", s) + f(ttt) + "   " + f(bon))
        }
        print("""

        artifacts:
          tokenizer        \(spm)
          token shards     \(train), \(val)
          pretrained model \(latest) (metrics: \(pretrainDir)/metrics.jsonl)
          echo phase       \(echoLatest) (data: \(echoData), metrics: \(echoDir)/metrics.jsonl)
          SDFT model       \(sdftLatest) (metrics: \(sdftDir)/metrics.jsonl)
          TTT start model  \(startCkpt)
          TTT-Discover     \(out)/ttt/ (best.json, best.txt, metrics.jsonl, archive.jsonl, ttt_latest.safetensors)
          best-of-N        \(out)/best-of-n/ (best.json, best.txt, metrics.jsonl, archive.jsonl)
        next: discover bench --suite configs/bench/toy.json (5 seeds, writes results.json, report.md, report.html)
        """)
        print(String(format: "quickstart finished in %.1f min", Date().timeIntervalSince(start) / 60))
    }

    /// One pretraining phase into `dir`, reused when finished and resumed when interrupted; a fresh phase starts
    /// from `initFrom`'s weights when given. Returns false when it stopped early (a signal).
    static func pretrainPhase(dir: String, steps: Int, arguments: [String], initFrom: String?, label: String) throws -> Bool {
        let latest = dir + "/ckpt_latest.safetensors"
        let done = pretrainStep(latest)
        if let done, done.step >= done.total {
            print("\(label): reusing \(latest) (step \(done.step))")
            return true
        }
        var args = arguments + ["--out", dir, "--steps", String(steps)]
        if done != nil { args += ["--resume", latest] } else if let initFrom { args += ["--init-from", initFrom] }
        print("\(label) → \(dir)" + (done.map { " (resuming at step \($0.step))" } ?? ""))
        try PretrainCommand.parse(args).run()
        guard let after = pretrainStep(latest), after.step >= after.total else {
            print("pretrain stopped before the end; run the quickstart again to continue")
            return false
        }
        return true
    }

    /// (step, total_steps) recorded in a pretrain checkpoint, or nil when there is none.
    static func pretrainStep(_ path: String) -> (step: Int, total: Int)? {
        guard FileManager.default.fileExists(atPath: path), let file = try? SafeTensorsFile(path: path),
              let step = file.metadata["step"].flatMap(Int.init),
              let total = file.metadata["total_steps"].flatMap(Int.init) else { return nil }
        return (step, total)
    }
}
