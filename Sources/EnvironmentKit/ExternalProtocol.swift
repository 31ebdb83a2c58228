// The JSON-lines protocol spoken with external environments (docs/environments.md, "Any language").
// One request per line on the program's stdin, one response per line on its stdout:
//   → {"id": 7, "method": "evaluate", "params": {...}}
//   ← {"id": 7, "result": {...}}        or        ← {"id": 7, "error": "message"}
// Conversions between protocol JSON and the EnvironmentKit types live here.
import JSONLines

enum ExternalProtocol {
    static func encode(_ state: EnvState) -> JSONValue {
        .object(["construction": .string(state.construction), "value": state.value.map { .double($0) } ?? .null,
                 "feedback": .string(state.feedback)])
    }

    static func decodeState(_ value: JSONValue, at where_: String) throws -> EnvState {
        let record = JSONRecord(value: value, file: where_, line: 1)
        guard case .object = value else { throw record.error("expected a state object, found \(value.typeName)") }
        let value = try record.optionalDouble("value")
        if let v = value, !v.isFinite { throw record.error("must be finite", field: "value") }
        return EnvState(construction: try record.string("construction"), value: value,
                        feedback: try record.optionalString("feedback") ?? "")
    }

    static func decodeEvaluation(_ value: JSONValue, at where_: String) throws -> Evaluation {
        let record = JSONRecord(value: value, file: where_, line: 1)
        guard case .object = value else { throw record.error("expected an evaluation object, found \(value.typeName)") }
        let statusText = try record.string("status")
        guard let status = EvaluationStatus(rawValue: statusText) else {
            throw record.error("unknown status '\(statusText)'; one of "
                               + EvaluationStatus.allCases.map(\.rawValue).joined(separator: ", "), field: "status")
        }
        var reward = try record.optionalDouble("reward")
        var feedback = try record.optionalString("feedback") ?? ""
        var status_ = status
        if let r = reward, !r.isFinite {          // never trust a non-finite score
            reward = 0; status_ = .invalid; feedback = "non-finite reward \(r); " + feedback
        }
        if status_ == .ok && reward == nil { throw record.error("status 'ok' needs a reward", field: "reward") }
        var metrics: [String: Double] = [:]
        if case .object(let m)? = record.field("metrics") {
            for (k, v) in m {
                guard let d = v.doubleValue else { throw record.error("metric '\(k)' must be a number", field: "metrics") }
                metrics[k] = d
            }
        }
        var child: EnvState? = nil
        if let c = record.field("child"), c != .null { child = try decodeState(c, at: where_ + " child") }
        return Evaluation(reward: reward, status: status_, metrics: metrics, feedback: feedback, child: child)
    }

    static func decodeReference(_ value: JSONValue, at where_: String) throws -> ReferenceCase {
        let record = JSONRecord(value: value, file: where_, line: 1)
        let range = try record.array("reward")
        guard range.count == 2, let lo = range[0].doubleValue, let hi = range[1].doubleValue, lo <= hi else {
            throw record.error("expected [low, high] with low <= high", field: "reward")
        }
        var state: EnvState? = nil
        if let s = record.field("state"), s != .null { state = try decodeState(s, at: where_ + " state") }
        return ReferenceCase(name: try record.string("name"), state: state, completion: try record.string("completion"),
                             expectedReward: lo...hi)
    }
}
