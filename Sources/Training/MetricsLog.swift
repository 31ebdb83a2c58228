import JSONLines
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A value in a metrics record.
public enum MetricValue: Sendable, Equatable {
    case int(Int)
    case double(Double)
    case string(String)

    var json: String {
        switch self {
        case let .int(i): return String(i)
        case let .double(d): return d.isFinite ? String(d) : "null"   // JSON has no NaN/∞
        case let .string(s): return metricsQuoted(s)
        }
    }
}

/// Appends one JSON object per line to `metrics.jsonl`, flushed per record so a crash loses at most the
/// line being written. Keys keep the order given; `step` is expected first.
public final class MetricsLog: @unchecked Sendable {
    public let path: String
    private let fd: Int32

    /// Opens (creating) `path` for appending. With `truncateAfterStep`, records whose `"step"` is larger are
    /// dropped first — used on resume so steps redone after a crash are not logged twice.
    public init(path: String, truncateAfterStep: Int? = nil) throws {
        self.path = path
        if let limit = truncateAfterStep, FileManager.default.fileExists(atPath: path) {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let kept = text.split(separator: "\n").filter { line in
                guard let step = Self.leadingStep(line) else { return true }
                return step <= limit
            }
            try (kept.map { $0 + "\n" }.joined()).write(toFile: path, atomically: true, encoding: .utf8)
        }
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw TrainingError("\(path): cannot open metrics log: \(String(cString: strerror(errno)))")
        }
    }

    deinit { close(fd) }

    /// Writes one record as a single line.
    public func append(_ fields: [(String, MetricValue)]) {
        let line = "{" + fields.map { "\(metricsQuoted($0.0)):\($0.1.json)" }.joined(separator: ",") + "}\n"
        var bytes = Array(line.utf8)
        bytes.withUnsafeMutableBytes { raw in
            var p = raw.baseAddress!, left = raw.count
            while left > 0 {
                let n = write(fd, p, left)
                if n < 0 { if errno == EINTR { continue } else { return } }
                p += n
                left -= n
            }
        }
    }

    /// `N` from a line starting `{"step":N`, else nil.
    static func leadingStep(_ line: Substring) -> Int? {
        let head = "{\"step\":"
        guard line.hasPrefix(head) else { return nil }
        return Int(line.dropFirst(head.count).prefix { $0.isNumber })
    }
}

/// A JSON string literal (the JSONLines serializer's escaping).
func metricsQuoted(_ s: String) -> String { JSONL.serialize(.string(s)) }
