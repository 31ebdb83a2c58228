#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writing safetensors files. Layout: u64 little-endian header length N, N bytes of UTF-8 JSON (padded with
/// spaces to a multiple of 8 so the data section is 8-byte aligned), then the tensors' bytes back to back in
/// the order of their sorted names.
public enum SafeTensors {
    /// Writes F32 tensors atomically: a temp file in the same folder is written, fsynced, renamed over `path`,
    /// and the folder is fsynced, so a crash at any moment leaves either the old file or the new one.
    /// Header keys are sorted; `__metadata__` (string → string) is omitted when `metadata` is empty.
    public static func write(path: String,
                             tensors: [(name: String, shape: [Int], data: UnsafeBufferPointer<Float>)],
                             metadata: [String: String]) throws {
        var seen = Set<String>()
        for t in tensors {
            guard !t.name.isEmpty else { throw SafeTensorsError(file: path, message: "tensor with an empty name") }
            guard t.name != "__metadata__" else {
                throw SafeTensorsError(file: path, message: "'__metadata__' is reserved and cannot name a tensor")
            }
            guard seen.insert(t.name).inserted else {
                throw SafeTensorsError(file: path, message: "duplicate tensor name '\(t.name)'")
            }
            guard t.shape.allSatisfy({ $0 >= 0 }) else {
                throw SafeTensorsError(file: path, message: "tensor '\(t.name)' has a negative dimension in \(t.shape)")
            }
            let count = t.shape.reduce(1, *)
            guard count == t.data.count else {
                throw SafeTensorsError(file: path, message:
                    "tensor '\(t.name)' has shape \(t.shape) (\(count) elements) but \(t.data.count) values were given")
            }
        }
        let sorted = tensors.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        let header = headerBytes(sorted: sorted, metadata: metadata)

        try AtomicFile.write(path: path) { sink in
            var length = UInt64(header.count).littleEndian
            try withUnsafeBytes(of: &length) { try sink.write($0) }
            try header.withUnsafeBytes { try sink.write($0) }
            for t in sorted where t.data.count > 0 {
                // Floats are written in host order; every platform Swift targets here is little-endian.
                try sink.write(UnsafeRawBufferPointer(t.data))
            }
        }
    }

    /// The JSON header, space-padded to a multiple of 8 bytes.
    static func headerBytes(sorted: [(name: String, shape: [Int], data: UnsafeBufferPointer<Float>)],
                            metadata: [String: String]) -> [UInt8] {
        var entries: [(key: String, json: String)] = []
        if !metadata.isEmpty {
            let pairs = metadata.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
                .map { "\(jsonQuoted($0.key)):\(jsonQuoted($0.value))" }
            entries.append(("__metadata__", "{" + pairs.joined(separator: ",") + "}"))
        }
        var offset = 0
        for t in sorted {
            let bytes = t.data.count * MemoryLayout<Float>.size
            let shape = t.shape.map(String.init).joined(separator: ",")
            entries.append((t.name, "{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + bytes)]}"))
            offset += bytes
        }
        entries.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        var json = Array(("{" + entries.map { "\(jsonQuoted($0.key)):\($0.json)" }.joined(separator: ",") + "}").utf8)
        while json.count % 8 != 0 { json.append(0x20) }
        return json
    }
}
