// What an `EnvState.construction` holds for code/python-v0: one compact JSON object
//   {"task_id": ID (function tasks), "code": PROGRAM, "construction": VALUE (optimisation tasks)}
// so that a state carries both the program shown in the next prompt and the construction `run(current)`
// receives.
import JSONLines

struct CodeState: Sendable, Hashable {
    var taskID: String?
    var code: String
    var construction: JSONValue

    init(taskID: String?, code: String, construction: JSONValue = .null) {
        self.taskID = taskID
        self.code = code
        self.construction = construction
    }

    func encoded() -> String {
        var fields: [String: JSONValue] = ["code": .string(code), "construction": construction]
        if let taskID { fields["task_id"] = .string(taskID) }
        return JSONL.serialize(.object(fields))
    }

    /// Decodes a state's construction. An empty string is an empty state (no code yet); anything else
    /// that is not our JSON object is treated as bare code, so states written by hand still work.
    static func decode(_ text: String) -> CodeState {
        if text.allSatisfy(\.isWhitespace) { return CodeState(taskID: nil, code: "") }
        guard let record = try? JSONL.parse(text, file: "<state>"), case .object(let fields) = record.value,
              let code = fields["code"]?.stringValue else {
            return CodeState(taskID: nil, code: text)
        }
        return CodeState(taskID: fields["task_id"]?.stringValue, code: code, construction: fields["construction"] ?? .null)
    }
}
