/// Plain key/value records and target-string echo prompts (the toy environment's format family).
public enum RecordTemplates {
    static let names = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory", "oscar"]
    static let cities = ["paris", "tokyo", "lima", "oslo", "cairo", "delhi", "quito", "rome", "seoul", "austin"]
    static let colors = ["red", "green", "blue", "yellow", "purple", "orange", "black", "white"]

    static func record(_ g: inout TemplateRandom) -> String {
        let name = g.pick(names), city = g.pick(cities), color = g.pick(colors)
        let age = g.int(18...90), score = g.int(0...100), id = g.int(1000...9999)
        if g.chance(50) {
            return "id: \(id)\nname: \(name)\nage: \(age)\ncity: \(city)\ncolor: \(color)\nscore: \(score)\n"
        }
        return "{\"id\": \(id), \"name\": \"\(name)\", \"age\": \(age), \"city\": \"\(city)\", \"score\": \(score)}\n"
    }

    /// The instruction line of exact-copy echo documents.
    public static let copyInstruction = "Reply with exactly the target string."
    /// The instruction line of edit echo documents (the toy environment's echo prompt ends with it).
    public static let editInstruction = "Change one or two letters of the target string."

    /// Target-string echo documents, the toy environment's format family: an instruction line, then one to three
    /// `Target: X` / `Reply: Y` pairs of random lowercase strings, written plainly (`kqzr`) or, when `spelled`,
    /// letter by letter (`k q z r`: one token per letter). Half the documents ask for exact copies
    /// (Y = X); the other half ask for edits (Y = X with one or two positions set to other letters, same
    /// length), so a small model learns both to copy its prompt and to propose small variations of it, which
    /// is what a discovery loop that keeps the best string needs.
    static func targetString(_ g: inout TemplateRandom, spelled: Bool) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz")
        let edit = g.chance(50)
        var text = (edit ? editInstruction : copyInstruction) + "\n"
        for _ in 0..<g.int(1...3) {
            let target = (0..<g.int(3...12)).map { _ in g.pick(alphabet) }
            var reply = target
            if edit {
                for _ in 0..<g.int(1...2) {
                    let i = g.int(0...(reply.count - 1))
                    reply[i] = g.pick(alphabet.filter { $0 != target[i] })
                }
            }
            let write = { (letters: [Character]) in spelled ? spell(letters) : String(letters) }
            text += "Target: \(write(target))\nReply: \(write(reply))\n"
        }
        return text
    }

    /// Letters separated by single spaces (`d i s c o v e r`): one token per letter with the corpus tokenizer, so
    /// copying and editing work position by position.
    static func spell(_ letters: [Character]) -> String {
        letters.map(String.init).joined(separator: " ")
    }
}
