import Foundation
import Testing
import SafeTensors
@testable import Training

func makeTempDir(_ label: String = #function) throws -> String {
    let safe = label.filter { $0.isLetter || $0.isNumber }
    let dir = NSTemporaryDirectory() + "training-tests-\(safe)-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

private func saveMarker(_ manager: CheckpointManager, step: Int) throws {
    try manager.save(step: step) { path in
        let v: [Float] = [Float(step)]
        try v.withUnsafeBufferPointer { try SafeTensors.write(path: path, tensors: [("x", [1], $0)], metadata: ["step": "\(step)"]) }
    }
}

@Test func checkpointManagerNamesStepsKeepsLastAndRefreshesConcreteLatest() throws {
    let dir = try makeTempDir()
    let manager = CheckpointManager(directory: dir, prefix: "ckpt", keepLast: 2)
    for step in [5, 10, 15, 20] { try saveMarker(manager, step: step) }
    let names = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
    #expect(names == ["ckpt_latest.safetensors", "ckpt_step_0000015.safetensors", "ckpt_step_0000020.safetensors"])
    let latest = try SafeTensorsFile(path: manager.latestPath)
    #expect(latest.metadata["step"] == "20")
    let attrs = try FileManager.default.attributesOfItem(atPath: manager.latestPath)
    #expect(attrs[.type] as? FileAttributeType == .typeRegular)   // a copy, not a symlink
}

@Test func checkpointPruningNeverRemovesLatestEvenWithKeepLastOne() throws {
    let dir = try makeTempDir()
    let manager = CheckpointManager(directory: dir, prefix: "sdft", keepLast: 1)
    try saveMarker(manager, step: 1)
    try saveMarker(manager, step: 2)
    #expect(try manager.stepFiles().map(\.step) == [2])
    #expect(FileManager.default.fileExists(atPath: dir + "/sdft_latest.safetensors"))
    #expect(manager.stepPath(1234567) == dir + "/sdft_step_1234567.safetensors")
}

@Test func checkpointPruningIgnoresOtherPrefixesAndForeignFiles() throws {
    let dir = try makeTempDir()
    let ttt = CheckpointManager(directory: dir, prefix: "ttt", keepLast: 1)
    let ckpt = CheckpointManager(directory: dir, prefix: "ckpt", keepLast: 1)
    try saveMarker(ckpt, step: 3)
    try Data().write(to: URL(fileURLWithPath: dir + "/ttt_step_notanumber.safetensors"))
    try saveMarker(ttt, step: 1)
    try saveMarker(ttt, step: 2)
    let names = Set(try FileManager.default.contentsOfDirectory(atPath: dir))
    #expect(names == ["ckpt_step_0000003.safetensors", "ckpt_latest.safetensors", "ttt_step_notanumber.safetensors",
                      "ttt_step_0000002.safetensors", "ttt_latest.safetensors"])
}

@Test func metricsLogAppendsOneJSONObjectPerLineAndTruncatesRedoneStepsOnResume() throws {
    let dir = try makeTempDir()
    let path = dir + "/metrics.jsonl"
    do {
        let log = try MetricsLog(path: path)
        for s in 1...4 { log.append([("step", .int(s)), ("loss", .double(Double(s) / 2)), ("note", .string("a\"b"))]) }
        log.append([("step", .int(5)), ("loss", .double(.nan))])
    }
    var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
    #expect(lines.count == 5)
    #expect(lines[0] == #"{"step":1,"loss":0.5,"note":"a\"b"}"#)
    #expect(lines[4] == #"{"step":5,"loss":null}"#)
    for line in lines { _ = try JSONSerialization.jsonObject(with: Data(line.utf8)) }   // each line is valid JSON
    do {
        let log = try MetricsLog(path: path, truncateAfterStep: 2)
        log.append([("step", .int(3)), ("loss", .double(9))])
    }
    lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
    #expect(lines.map { MetricsLog.leadingStep($0) } == [1, 2, 3])
    #expect(lines[2] == #"{"step":3,"loss":9.0}"#)
}

@Test func progressLineShowsStepLossThroughputAndETA() {
    let line = ProgressReporter.line(step: 12, total: 200, loss: 3.14159, lr: 3e-4, tokensPerSecond: 12345, etaSeconds: 83)
    #expect(line == "step 12/200  loss 3.1416  lr 3.00e-04  12.3k tok/s  ETA 1m23s")
    #expect(ProgressReporter.formatDuration(3725) == "1h02m")
    #expect(ProgressReporter.formatDuration(9) == "9s")
}

@Test func signalMonitorTurnsASignalIntoAFlag() {
    let monitor = SignalMonitor.shared
    #expect(monitor.pendingSignal() == nil)
    monitor.install(signals: [SIGUSR2])
    // Process-directed (like `kill PID`): the test runner's worker threads block signals, so raise() would not do.
    kill(getpid(), SIGUSR2)
    var waited = 0
    while monitor.pendingSignal() == nil, waited < 200 { usleep(5_000); waited += 1 }
    #expect(monitor.pendingSignal() == SIGUSR2)
    #expect(monitor.pendingSignal() == SIGUSR2)   // sticky
}
