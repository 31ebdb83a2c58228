/// Plain key/value records and target-string echo prompts (the toy environment's format family).
enum RecordTemplates {
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

    /// "Target: …" followed by the same string: teaches exact copying, what the toy environment rewards.
    static func targetString(_ g: inout TemplateRandom) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz")
        let length = g.int(3...12)
        let target = String((0..<length).map { _ in g.pick(alphabet) })
        return "Reply with exactly the target string.\nTarget: \(target)\nReply: \(target)\n"
    }
}
