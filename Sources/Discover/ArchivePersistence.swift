import Foundation

/// JSONL persistence of the archive: a header line, then one line per state in id order.
///
/// ```
/// {"capacity":1000,"expansions":64,"kind":"archive","max_children":2,"next_id":17,"version":1}
/// {"ancestors":[],"best_child_value":0.5,"construction":"...","feedback":"","id":0,"initial":true,"step":0,"visits":64}
/// ```
/// Saving is atomic (temp + rename), so a resumed run always finds a complete archive.
extension StateArchive {
    struct Header: Codable {
        var kind: String
        var version: Int
        var expansions: Int
        var nextID: Int
        var capacity: Int
        var maxChildren: Int
        enum CodingKeys: String, CodingKey {
            case kind, version, expansions, nextID = "next_id", capacity, maxChildren = "max_children"
        }
    }

    public func jsonl() throws -> String {
        let header = Header(kind: "archive", version: 1, expansions: expansions, nextID: nextID, capacity: capacity,
                            maxChildren: maxChildrenPerParent)
        var lines = [try JSONText.encode(header)]
        for s in ordered { lines.append(try JSONText.encode(s)) }
        return lines.joined(separator: "\n") + "\n"
    }

    public func save(to path: String) throws {
        try AtomicFile.write(try jsonl(), to: path)
    }

    public static func load(path: String) throws -> StateArchive {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DiscoverError("\(path): cannot read archive")
        }
        return try parse(String(decoding: data, as: UTF8.self), file: path)
    }

    public static func parse(_ text: String, file: String) throws -> StateArchive {
        var header: Header?
        var records: [ArchivedState] = []
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            let source = "\(file):\(i + 1)"
            if header == nil {
                let h = try JSONText.decode(Header.self, from: line, source: source)
                guard h.kind == "archive", h.version == 1 else {
                    throw DiscoverError("\(source): field 'kind': expected an archive header (kind \"archive\", version 1)")
                }
                header = h
            } else {
                records.append(try JSONText.decode(ArchivedState.self, from: line, source: source))
            }
        }
        guard let h = header else { throw DiscoverError("\(file): empty archive file") }
        do {
            return try StateArchive(restoring: records, expansions: h.expansions, nextID: h.nextID,
                                    capacity: h.capacity, maxChildrenPerParent: h.maxChildren)
        } catch {
            throw DiscoverError("\(file): \(error.description)")
        }
    }
}
