import Foundation

/// Reading JSON Lines (one JSON object per line) and single JSON documents, and writing compact JSON.
/// Parsing is done by json-c in strict mode; every error names the file and line (and field, for typed access).
public enum JSONL {
    /// Parses one JSON document. `file` and `line` are the provenance reported in errors.
    public static func parse(_ text: String, file: String = "<input>", line: Int = 1) throws -> JSONRecord {
        var text = text
        let result = text.withUTF8 { JSONCParser.parse($0) }
        switch result {
        case .success(let value): return JSONRecord(value: value, file: file, line: line)
        case .failure(let failure): throw JSONLError(file: file, line: line, message: failure.message)
        }
    }

    /// Reads a JSONL file: one JSON object per non-blank line (a trailing "\r" is ignored).
    /// A missing, unreadable or empty file, invalid UTF-8, malformed JSON or a non-object line is an error.
    public static func readLines(path: String) throws -> [JSONRecord] {
        let data = try readFile(path)
        var records: [JSONRecord] = []
        var lineNumber = 0
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            var start = 0
            while start <= bytes.count {
                var end = start
                while end < bytes.count && bytes[end] != 0x0A { end += 1 }
                lineNumber += 1
                var stop = end
                if stop > start && bytes[stop - 1] == 0x0D { stop -= 1 }
                let line = UnsafeBufferPointer(rebasing: bytes[start..<stop])
                if !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                    records.append(try parseLine(line, file: path, line: lineNumber))
                }
                if end == bytes.count { break }
                start = end + 1
            }
        }
        if records.isEmpty { throw JSONLError(file: path, message: "no JSON records (the file is empty)") }
        return records
    }

    /// Reads a file holding one JSON document (e.g. a task file). Errors name the file and, for syntax
    /// errors, the line of the failure.
    public static func readDocument(path: String) throws -> JSONRecord {
        let data = try readFile(path)
        guard let text = String(data: data, encoding: .utf8) else {
            throw JSONLError(file: path, message: "not valid UTF-8")
        }
        if text.allSatisfy(\.isWhitespace) { throw JSONLError(file: path, message: "empty file, expected a JSON document") }
        do {
            return try parse(text, file: path, line: 1)
        } catch let error as JSONLError {
            throw JSONLError(file: path, line: lineOfColumn(in: text, message: error.message), message: error.message)
        }
    }

    /// Compact single-line JSON with correct escaping (keys sorted).
    public static func serialize(_ value: JSONValue) -> String { JSONSerializer.serialize(value) }

    /// Writes `values` as JSONL (one compact line each) atomically: a temporary file, then a rename.
    public static func writeLines(_ values: [JSONValue], to path: String) throws {
        var text = ""
        for value in values { text += serialize(value) + "\n" }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw JSONLError(file: path, message: "cannot write: \(error.localizedDescription)")
        }
    }

    // MARK: helpers

    private static func readFile(_ path: String) throws -> Data {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw JSONLError(file: path, message: "no such file")
        }
        if isDirectory.boolValue { throw JSONLError(file: path, message: "is a directory, expected a file") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw JSONLError(file: path, message: "cannot read file")
        }
        return data
    }

    private static func parseLine(_ line: UnsafeBufferPointer<UInt8>, file: String, line number: Int) throws -> JSONRecord {
        guard String(bytes: line, encoding: .utf8) != nil else {
            throw JSONLError(file: file, line: number, message: "not valid UTF-8")
        }
        switch JSONCParser.parse(line) {
        case .success(let value):
            guard case .object = value else {
                throw JSONLError(file: file, line: number, message: "expected a JSON object, found \(value.typeName)")
            }
            return JSONRecord(value: value, file: file, line: number)
        case .failure(let failure):
            throw JSONLError(file: file, line: number, message: failure.message)
        }
    }

    /// Maps "column N" in a whole-document parse error back to its line number.
    private static func lineOfColumn(in text: String, message: String) -> Int {
        guard let range = message.range(of: "column "),
              let column = Int(message[range.upperBound...].prefix(while: \.isNumber)) else { return 1 }
        return 1 + text.utf8.prefix(column - 1).filter { $0 == 0x0A }.count
    }
}
