import Foundation
#if canImport(Glibc)
import Glibc
private func posixWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { Glibc.write(fd, p, n) }
#elseif canImport(Darwin)
import Darwin
private func posixWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { Darwin.write(fd, p, n) }
#endif

/// Whole-file writes that never leave a half-written file: write a temporary sibling, then rename.
enum AtomicFile {
    static func write(_ text: String, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(),
                                                withIntermediateDirectories: true)
        let tmp = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
        // Plain POSIX calls: Foundation's createFile does its own temp-and-rename dance and costs ~6 ms.
        let fd = open(tmp.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw DiscoverError("cannot write \(tmp.path): \(String(cString: strerror(errno)))") }
        let bytes = Array(text.utf8)
        var written = 0
        var failure: Int32 = 0
        bytes.withUnsafeBytes { buf in
            while written < buf.count {
                let n = posixWrite(fd, buf.baseAddress! + written, buf.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                written += n
            }
        }
        if close(fd) != 0 && failure == 0 { failure = errno }
        if failure == 0 && rename(tmp.path, path) != 0 { failure = errno }
        if failure != 0 {
            unlink(tmp.path)
            throw DiscoverError("cannot write \(path): \(String(cString: strerror(failure)))")
        }
    }

    /// Appends one line (a trailing newline is added), creating the file if needed.
    static func appendLine(_ line: String, to path: String) throws {
        if !FileManager.default.fileExists(atPath: path) {
            try write(line + "\n", to: path)
            return
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw DiscoverError("cannot open \(path) for appending") }
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data((line + "\n").utf8))
    }
}

/// Compact JSON with sorted keys (stable, diff-friendly output).
enum JSONText {
    static func encode<T: Encodable>(_ value: T, pretty: Bool = false) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
                                          : [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf",
                                                                      negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Decodes one JSON document; errors name the source (file and line) and the field path.
    static func decode<T: Decodable>(_ type: T.Type, from text: String, source: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf",
                                                                        negativeInfinity: "-inf", nan: "nan")
        do {
            return try decoder.decode(type, from: Data(text.utf8))
        } catch let error as DecodingError {
            throw DiscoverError("\(source): \(describe(error))")
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            var out = ""
            for k in keys {
                if let i = k.intValue { out += "[\(i)]" } else { out += out.isEmpty ? k.stringValue : ".\(k.stringValue)" }
            }
            return out
        }
        switch error {
        case .keyNotFound(let key, let ctx):
            let parent = path(ctx.codingPath)
            return "field '\(parent.isEmpty ? key.stringValue : parent + "." + key.stringValue)': missing"
        case .typeMismatch(let type, let ctx):
            return "field '\(path(ctx.codingPath))': expected \(type)"
        case .valueNotFound(let type, let ctx):
            return "field '\(path(ctx.codingPath))': expected \(type), found null"
        case .dataCorrupted(let ctx):
            let p = path(ctx.codingPath)
            let detail = (ctx.underlyingError as NSError?)?.userInfo["NSDebugDescription"] as? String ?? ctx.debugDescription
            return p.isEmpty ? "invalid JSON: \(detail)" : "field '\(p)': \(ctx.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
