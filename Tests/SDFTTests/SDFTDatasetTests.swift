import Foundation
import Testing
@testable import SDFT

private func write(_ text: String) throws -> String {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("sdft-\(UUID().uuidString).jsonl").path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

@Test func loadsPromptDemonstrationAndOptionalAnswer() throws {
    let path = try write("""
    {"prompt": "2+2?", "demonstration": "4", "answer": "4"}

    {"prompt": "name?", "demonstration": "Ada"}
    """)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let examples = try SDFTDataset.load(path: path)
    #expect(examples.count == 2)
    #expect(examples[0] == SDFTExample(prompt: "2+2?", demonstration: "4", answer: "4", source: "\(path):1"))
    #expect(examples[1].answer == nil)
    #expect(examples[1].source == "\(path):3")
}

@Test func missingDemonstrationNamesFileLineAndField() throws {
    let path = try write("{\"prompt\": \"a\", \"demonstration\": \"b\"}\n{\"prompt\": \"c\"}\n")
    defer { try? FileManager.default.removeItem(atPath: path) }
    do {
        _ = try SDFTDataset.load(path: path)
        Issue.record("expected an error")
    } catch {
        let message = String(describing: error)
        #expect(message.contains(path))
        #expect(message.contains(":2"))
        #expect(message.contains("demonstration"))
    }
}

@Test func wrongTypeIsAnError() throws {
    let path = try write("{\"prompt\": 3, \"demonstration\": \"b\"}\n")
    defer { try? FileManager.default.removeItem(atPath: path) }
    #expect(throws: (any Error).self) { try SDFTDataset.load(path: path) }
}

@Test func evaluationRecordsNeedAnAnswer() throws {
    let path = try write("{\"prompt\": \"q\"}\n")
    defer { try? FileManager.default.removeItem(atPath: path) }
    do {
        _ = try SDFTDataset.load(path: path, requireDemonstration: false)
        Issue.record("expected an error")
    } catch {
        #expect(String(describing: error).contains("answer"))
    }
}
