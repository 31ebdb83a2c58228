import Foundation

/// An input problem (missing, empty, unreadable or non-UTF-8 file; bad option), naming the file or flag.
public struct DataInputError: Error, CustomStringConvertible, Sendable {
    public let file: String
    public let message: String

    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }

    /// "FILE: MESSAGE"
    public var description: String { "\(file): \(message)" }
}

/// A text document and where it came from.
public struct TextDocument: Sendable, Equatable {
    public let source: String
    public let text: String

    public init(source: String, text: String) {
        self.source = source
        self.text = text
    }
}

/// Reads user inputs for `prepare-data`: each path is a text file (one document) or a folder, searched
/// recursively for files (hidden files and folders skipped, sorted by path for determinism).
public enum TextInputs {
    public static func documents(from paths: [String]) throws -> [TextDocument] {
        var documents: [TextDocument] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw DataInputError(file: path, message: "no such input file or folder")
            }
            if isDirectory.boolValue {
                let files = try filesUnder(path)
                guard !files.isEmpty else { throw DataInputError(file: path, message: "input folder holds no files") }
                for file in files { documents.append(try readText(file)) }
            } else {
                documents.append(try readText(path))
            }
        }
        return documents
    }

    private static func filesUnder(_ folder: String) throws -> [String] {
        let root = URL(fileURLWithPath: folder)
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey],
                                                          options: [.skipsHiddenFiles]) else {
            throw DataInputError(file: folder, message: "cannot list input folder")
        }
        var files: [String] = []
        for case let url as URL in walker where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            files.append(url.path)
        }
        return files.sorted()
    }

    private static func readText(_ path: String) throws -> TextDocument {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataInputError(file: path, message: "cannot read input file")
        }
        guard !data.isEmpty else { throw DataInputError(file: path, message: "input file is empty") }
        guard let text = String(data: data, encoding: .utf8) else {
            throw DataInputError(file: path, message: "input file is not valid UTF-8 text")
        }
        guard text.contains(where: { !$0.isWhitespace }) else {
            throw DataInputError(file: path, message: "input file holds only whitespace")
        }
        return TextDocument(source: path, text: text)
    }
}
