// SDFT data: JSONL records `{"prompt": ..., "demonstration": ..., "answer"?: ...}`, parsed with json-c.
import JSONLines

/// One demonstration: the student sees `prompt`; the teacher sees the prompt with `demonstration` in context.
public struct SDFTExample: Sendable, Equatable {
    public var prompt: String
    public var demonstration: String
    /// The gold final answer for evaluation, when given.
    public var answer: String?
    /// Where the example came from, for messages (`file:line`).
    public var source: String

    public init(prompt: String, demonstration: String, answer: String? = nil, source: String = "") {
        self.prompt = prompt
        self.demonstration = demonstration
        self.answer = answer
        self.source = source
    }
}

public enum SDFTDataset {
    /// Reads a JSONL file of examples. Errors name the file, the line and the field.
    /// - Parameter requireDemonstration: evaluation files may omit `demonstration` but must then carry `answer`.
    public static func load(path: String, requireDemonstration: Bool = true) throws -> [SDFTExample] {
        let records = try JSONL.readLines(path: path)
        var examples: [SDFTExample] = []
        examples.reserveCapacity(records.count)
        for record in records {
            let prompt = try record.string("prompt")
            let demonstration = requireDemonstration
                ? try record.string("demonstration") : (try record.optionalString("demonstration") ?? "")
            let answer = try record.optionalString("answer")
            if prompt.isEmpty {
                throw JSONLError(file: record.file, line: record.line, field: "prompt", message: "must not be empty")
            }
            if requireDemonstration && demonstration.isEmpty {
                throw JSONLError(file: record.file, line: record.line, field: "demonstration",
                                 message: "must not be empty")
            }
            if !requireDemonstration && answer == nil {
                throw JSONLError(file: record.file, line: record.line, field: "answer",
                                 message: "evaluation records need an answer")
            }
            examples.append(SDFTExample(prompt: prompt, demonstration: demonstration, answer: answer,
                                        source: "\(record.file):\(record.line)"))
        }
        if examples.isEmpty {
            throw JSONLError(file: path, line: nil, field: nil, message: "no examples")
        }
        return examples
    }
}
