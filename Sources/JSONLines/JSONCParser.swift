import CJSONC

/// Parses one JSON document from UTF-8 bytes with json-c in strict mode and converts it to `JSONValue`.
enum JSONCParser {
    /// Nesting deeper than this is rejected (json-c's own default is 32).
    static let maxDepth: Int32 = 256

    /// Returns the value, or the json-c error text (with a byte column) on failure.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<JSONValue, ParseFailure> {
        guard let tokener = json_tokener_new_ex(maxDepth) else {
            return .failure(ParseFailure(message: "json-c could not allocate a parser"))
        }
        defer { json_tokener_free(tokener) }
        json_tokener_set_flags(tokener, Int32(JSON_TOKENER_STRICT))
        let length = bytes.count
        let base = bytes.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }
        guard let start = base, length > 0 else { return .failure(ParseFailure(message: "empty document")) }

        if let column = singleQuoteColumn(bytes) {
            return .failure(ParseFailure(message: "invalid JSON at column \(column): single-quoted string"))
        }
        let object = json_tokener_parse_ex(tokener, start, Int32(length))
        let status = json_tokener_get_error(tokener)
        defer { if let object { json_object_put(object) } }
        if status == json_tokener_continue {
            return .failure(ParseFailure(message: "unexpected end of input"))
        }
        if status != json_tokener_success {
            let offset = Int(json_tokener_get_parse_end(tokener))
            let text = String(cString: json_tokener_error_desc(status))
            return .failure(ParseFailure(message: "invalid JSON at column \(offset + 1): \(text)"))
        }
        // json-c stops after the first complete value; anything but whitespace after it is an error.
        let end = Int(json_tokener_get_parse_end(tokener))
        for i in end..<length where !isWhitespace(bytes[i]) {
            return .failure(ParseFailure(message: "invalid JSON at column \(i + 1): unexpected text after the value"))
        }
        return .success(convert(object))
    }

    /// json-c 0.16 accepts 'single-quoted' strings even in strict mode; JSON does not. Returns the 1-based
    /// column of the first quote character outside a double-quoted string, if any.
    private static func singleQuoteColumn(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var inString = false
        var escaped = false
        for (i, b) in bytes.enumerated() {
            if inString {
                if escaped { escaped = false } else if b == 0x5C { escaped = true } else if b == 0x22 { inString = false }
            } else if b == 0x22 {
                inString = true
            } else if b == 0x27 {
                return i + 1
            }
        }
        return nil
    }

    private static func isWhitespace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

    private static func convert(_ object: OpaquePointer?) -> JSONValue {
        guard let object else { return .null }
        switch json_object_get_type(object) {
        case json_type_null:
            return .null
        case json_type_boolean:
            return .bool(json_object_get_boolean(object) != 0)
        case json_type_int:
            let value = json_object_get_int64(object)
            if value == Int64.max, json_object_get_uint64(object) > UInt64(Int64.max) {
                return .double(Double(json_object_get_uint64(object)))
            }
            return .int(value)
        case json_type_double:
            return .double(json_object_get_double(object))
        case json_type_string:
            return .string(string(of: object))
        case json_type_array:
            let count = json_object_array_length(object)
            var items: [JSONValue] = []
            items.reserveCapacity(count)
            for i in 0..<count { items.append(convert(json_object_array_get_idx(object, i))) }
            return .array(items)
        case json_type_object:
            var members: [String: JSONValue] = [:]
            var it = json_object_iter_begin(object)
            var end = json_object_iter_end(object)
            while json_object_iter_equal(&it, &end) == 0 {
                let name = String(cString: json_object_iter_peek_name(&it))
                members[name] = convert(json_object_iter_peek_value(&it))
                json_object_iter_next(&it)
            }
            return .object(members)
        default:
            return .null
        }
    }

    /// The string's bytes by length, so that an escaped `\u0000` survives.
    private static func string(of object: OpaquePointer) -> String {
        let length = Int(json_object_get_string_len(object))
        guard let chars = json_object_get_string(object) else { return "" }
        let buffer = UnsafeRawBufferPointer(start: chars, count: length)
        return String(decoding: buffer, as: UTF8.self)
    }
}

struct ParseFailure: Error {
    let message: String
}
