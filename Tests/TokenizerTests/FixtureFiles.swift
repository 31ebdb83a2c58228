import Foundation

/// Paths of the checked-in fixtures and a scratch folder for tests that write files.
enum FixtureFiles {
    static func path(_ name: String) -> String {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures") else {
            preconditionFailure("missing test fixture \(name)")
        }
        return url.path
    }

    static func scratchFolder() throws -> String {
        let path = NSTemporaryDirectory() + "discovery-tokenizer-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// Strings that break tokenizers that normalise or fold whitespace.
let hardStrings: [String] = [
    "", " ", "  ", "\n", "\n\n\n", "\t", "\t \t", "a  b   c    d", "  leading and trailing  ",
    "emoji 🙂🚀🧪 family 👩‍👩‍👧 flag 🇯🇵 skin 👍🏽", "漢字かなカナ한글 中文标点，。！", "line1\nline2\r\nline3\r",
    "def f(x):\n\treturn x  # tab\n", "e\u{301} vs é, ﬁ ligature, full-width ＡＢＣ１２３", "\u{0} nul \u{7F} del \u{1B} esc",
    "zero\u{200B}width\u{200D}joiner\u{FEFF}bom", "math: ∑ᵢ xᵢ² ≤ √2 · π", "\\boxed{\\frac{1}{2}}",
]
