/// Cuts text into pieces that end just after a newline, each at most `maxBytes` UTF-8 bytes unless a single
/// line is longer (a line is never cut). Concatenating the pieces gives the text back.
public enum TextSegments {
    public static func split(_ text: String, maxBytes: Int) -> [String] {
        let utf8 = Array(text.utf8)
        guard utf8.count > maxBytes else { return [text] }
        var pieces: [String] = []
        var start = 0
        while start < utf8.count {
            var end = min(start + maxBytes, utf8.count)
            if end < utf8.count {
                // Back up to just after the last newline in the window; if there is none, run on to the next one.
                var cut = end
                while cut > start && utf8[cut - 1] != 0x0A { cut -= 1 }
                if cut == start {
                    cut = end
                    while cut < utf8.count && utf8[cut - 1] != 0x0A { cut += 1 }
                }
                end = cut
            }
            pieces.append(String(decoding: utf8[start..<end], as: UTF8.self))
            start = end
        }
        return pieces
    }
}
