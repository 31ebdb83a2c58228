import Foundation
import JSONLines
import Testing

/// Catches the error a throwing expression raises, as `JSONLError`.
private func jsonlError(_ body: () throws -> Void) -> JSONLError? {
    do { try body() } catch let error as JSONLError { return error } catch { return nil }
    return nil
}

@Suite struct JSONLinesParsingTests {
    @Test func parsesEveryValueKindExactly() throws {
        let record = try JSONL.parse(#"{"n": null, "t": true, "i": -42, "big": 9007199254740993, "d": 0.5, "e": 1e-3, "s": "h\u00e9\n", "a": [1, "x"], "o": {"k": false}}"#)
        #expect(record.field("n") == .null)
        #expect(record.field("t") == .bool(true))
        #expect(record.field("i") == .int(-42))
        #expect(record.field("big") == .int(9_007_199_254_740_993))  // beyond Double precision: kept exact
        #expect(record.field("d") == .double(0.5))
        #expect(record.field("e") == .double(0.001))
        #expect(record.field("s") == .string("hé\n"))
        #expect(record.field("a") == .array([.int(1), .string("x")]))
        #expect(record.field("o") == .object(["k": .bool(false)]))
    }

    @Test func rejectsTrailingTextAfterTheValue() {
        let error = jsonlError { _ = try JSONL.parse(#"{"a": 1} x"#, file: "f.jsonl", line: 7) }
        #expect(error?.file == "f.jsonl")
        #expect(error?.line == 7)
        #expect(error?.message.contains("column 10") == true)
    }

    @Test func strictModeRejectsNonStandardJSON() throws {
        #expect(jsonlError { _ = try JSONL.parse("{'a': 1}") } != nil)       // single quotes
        #expect(jsonlError { _ = try JSONL.parse(#"{"a": 1,}"#) } != nil)     // trailing comma
        #expect(jsonlError { _ = try JSONL.parse(#"{"a": "#) } != nil)        // truncated
        #expect(jsonlError { _ = try JSONL.parse("") } != nil)               // nothing at all
        #expect(try JSONL.parse(#"{"it's": "'quoted'"}"#).field("it's") == .string("'quoted'"))  // quotes inside strings are fine
    }
}

@Suite struct JSONLinesSerializationTests {
    @Test func serializesCompactlyWithSortedKeys() {
        let value = JSONValue.object(["b": .array([.int(1), .double(2.5), .null]), "a": .bool(true), "c": .string("x")])
        #expect(JSONL.serialize(value) == #"{"a":true,"b":[1,2.5,null],"c":"x"}"#)
    }

    @Test func escapesQuotesBackslashesAndControlCharacters() {
        #expect(JSONL.serialize(.string("a\"b\\c\nd\te\u{01}")) == #""a\"b\\c\nd\te\u0001""#)
    }

    @Test func hardStringsRoundTripThroughSerializeAndParse() throws {
        let strings = ["", "plain", "quote \" backslash \\ slash /", "line1\nline2\r\n\ttab", "nul \u{0} bell \u{07} del \u{7F}",
                       "emoji 🧪👩‍🔬 flags 🇫🇷", "CJK 漢字かな한글", "   runs   of  spaces  ", "\u{2028}\u{2029}", "é (e\u{301})"]
        for s in strings {
            let value = JSONValue.object(["s": .string(s), "list": .array([.string(s)])])
            let text = JSONL.serialize(value)
            #expect(!text.contains("\n"), "serialized JSON must stay on one line")
            let back = try JSONL.parse(text)
            #expect(back.value == value, "round trip of \(s.debugDescription)")
        }
    }

    @Test func doublesRoundTripExactly() throws {
        for d in [0.1, 1.0 / 3.0, -2.5e-300, 1e300, 123456789.0, 0.0] {
            let back = try JSONL.parse(JSONL.serialize(.array([.double(d)])))
            #expect(back.value == .array([.double(d)]))
        }
        #expect(JSONL.serialize(.double(.nan)) == "null")
    }
}

@Suite struct JSONLinesFileTests {
    @Test func readsOneRecordPerNonBlankLineWithLineNumbers() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = try dir.write("data.jsonl", "{\"a\": 1}\n\n   \n{\"a\": 2}\r\n{\"a\": 3}")
        let records = try JSONL.readLines(path: path)
        #expect(records.map(\.line) == [1, 4, 5])
        #expect(try records.map { try $0.int("a") } == [1, 2, 3])
        #expect(records.allSatisfy { $0.file == path })
    }

    @Test func writeLinesThenReadLinesRoundTrips() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let values: [JSONValue] = [["prompt": "a\nb", "n": 1], ["prompt": "🙂", "xs": [1.5, nil, true]]]
        let path = dir.file("out.jsonl")
        try JSONL.writeLines(values, to: path)
        #expect(try JSONL.readLines(path: path).map(\.value) == values)
        #expect(try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").count == 2)
        #expect(jsonlError { try JSONL.writeLines(values, to: dir.file("no/such/folder.jsonl")) }?.file == dir.file("no/such/folder.jsonl"))
    }

    @Test func malformedLineNamesFileAndLine() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = try dir.write("bad.jsonl", "{\"a\": 1}\n{\"a\": 2}\n{\"a\": \n{\"a\": 4}\n")
        let error = jsonlError { _ = try JSONL.readLines(path: path) }
        #expect(error?.file == path)
        #expect(error?.line == 3)
        #expect(error?.description.hasPrefix("\(path):3: ") == true)
    }

    @Test func nonObjectLineIsAnError() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = try dir.write("arr.jsonl", "{\"a\": 1}\n[1, 2]\n")
        let error = jsonlError { _ = try JSONL.readLines(path: path) }
        #expect(error?.line == 2)
        #expect(error?.message.contains("expected a JSON object") == true)
    }

    @Test func invalidUTF8LineIsAnError() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = try dir.write("bin.jsonl", bytes: Array("{\"a\": 1}\n{\"a\": \"".utf8) + [0xFF, 0xFE] + Array("\"}\n".utf8))
        let error = jsonlError { _ = try JSONL.readLines(path: path) }
        #expect(error?.line == 2)
        #expect(error?.message.contains("UTF-8") == true)
    }

    @Test func missingAndEmptyFilesAreErrorsNamingTheFile() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let missing = dir.file("nope.jsonl")
        #expect(jsonlError { _ = try JSONL.readLines(path: missing) }?.description == "\(missing): no such file")
        let empty = try dir.write("empty.jsonl", "\n  \n")
        #expect(jsonlError { _ = try JSONL.readLines(path: empty) }?.file == empty)
        #expect(jsonlError { _ = try JSONL.readDocument(path: empty) }?.file == empty)
        #expect(jsonlError { _ = try JSONL.readLines(path: dir.path) }?.message.contains("directory") == true)
    }

    @Test func documentSyntaxErrorNamesItsLine() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = try dir.write("task.json", "{\n  \"id\": \"t1\",\n  \"n\": tru\n}\n")
        let error = jsonlError { _ = try JSONL.readDocument(path: path) }
        #expect(error?.file == path)
        #expect(error?.line == 3)
        let good = try dir.write("ok.json", "{\n  \"id\": \"t1\",\n  \"n\": [1, 2]\n}\n")
        #expect(try JSONL.readDocument(path: good).string("id") == "t1")
    }
}

@Suite struct JSONRecordFieldTests {
    let record = try! JSONL.parse(#"{"s": "x", "i": 3, "f": 3.0, "h": 3.5, "b": true, "z": null, "a": [1], "o": {}}"#,
                                  file: "tasks.jsonl", line: 12)

    @Test func typedAccessorsReturnValues() throws {
        #expect(try record.string("s") == "x")
        #expect(try record.int("i") == 3)
        #expect(try record.int("f") == 3)          // integral double is an integer
        #expect(try record.double("i") == 3.0)     // integer widens to double
        #expect(try record.bool("b") == true)
        #expect(try record.array("a") == [.int(1)])
        #expect(try record.object("o") == [:])
    }

    @Test func missingFieldErrorNamesFileLineAndField() {
        let error = jsonlError { _ = try record.string("prompt") }
        #expect(error?.description == "tasks.jsonl:12: field 'prompt': missing required field")
    }

    @Test func wrongTypeErrorNamesFieldAndFoundType() {
        let error = jsonlError { _ = try record.string("i") }
        #expect(error?.field == "i")
        #expect(error?.line == 12)
        #expect(error?.message == "expected a string, found number 3")
        #expect(jsonlError { _ = try record.int("h") }?.field == "h")  // 3.5 is not an integer
        #expect(jsonlError { _ = try record.bool("s") }?.field == "s")
        #expect(jsonlError { _ = try record.array("o") }?.field == "o")
        #expect(jsonlError { _ = try record.object("a") }?.field == "a")
    }

    @Test func optionalAccessorsTreatMissingAndNullAsNilButRejectWrongTypes() throws {
        #expect(try record.optionalString("absent") == nil)
        #expect(try record.optionalInt("z") == nil)
        #expect(try record.optionalDouble("h") == 3.5)
        #expect(try record.optionalBool("b") == true)
        #expect(jsonlError { _ = try record.optionalString("i") }?.field == "i")
        #expect(jsonlError { _ = try record.optionalInt("s") }?.field == "s")
    }

    @Test func errorDescriptionOmitsMissingParts() {
        #expect(JSONLError(file: "a.json", message: "m").description == "a.json: m")
        #expect(JSONLError(file: "a.json", line: 2, message: "m").description == "a.json:2: m")
        #expect(JSONLError(file: "a.json", field: "k", message: "m").description == "a.json: field 'k': m")
    }
}
