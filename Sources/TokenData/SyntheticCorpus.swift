import Randomness

/// A deterministic synthetic corpus in the formats the shipped environments speak, so the whole pipeline
/// runs offline. Same seed → same documents; a smaller `totalBytes` gives a prefix of a larger one.
///
/// Documents follow a handful of regular templates (learnable by a few-million-parameter model in minutes):
/// arithmetic and algebra questions with worked answers ending in `\boxed{…}`, short Python functions in
/// fenced code blocks, key/value records, and target-string echo prompts like the toy environment's.
public struct SyntheticCorpus: Sendable {
    public let seed: UInt64
    /// The document kinds drawn, with their shares renormalised (all kinds by default).
    public let kinds: [Kind]

    /// `kinds` must not be empty; order and repeats do not matter.
    public init(seed: UInt64, kinds: [Kind] = Kind.allCases) {
        precondition(!kinds.isEmpty, "SyntheticCorpus needs at least one document kind")
        self.seed = seed
        self.kinds = Kind.allCases.filter(kinds.contains)
    }

    /// The kinds of document, with their share of the corpus (in documents).
    public enum Kind: String, CaseIterable, Sendable, Equatable {
        case arithmetic, algebra, fraction, python, record, targetString, spelledTarget
    }

    static let mix: [(Kind, Int)] = [(.arithmetic, 30), (.algebra, 18), (.fraction, 7), (.python, 25), (.record, 12), (.targetString, 8),
                                     (.spelledTarget, 12)]

    /// Documents until their UTF-8 size reaches `totalBytes` (the last one may overshoot by < 1 KB).
    public func documents(totalBytes: Int) -> [String] {
        var rng = SplitMix64(seed: seed)
        var documents: [String] = []
        var bytes = 0
        while bytes < totalBytes {
            let document = Self.document(&rng, mix: mix)
            bytes += document.utf8.count
            documents.append(document)
        }
        return documents
    }

    /// The shares of this corpus's kinds.
    var mix: [(Kind, Int)] { Self.mix.filter { kinds.contains($0.0) } }

    /// One document drawn from `mix`.
    static func document(_ rng: inout SplitMix64, mix: [(Kind, Int)]) -> String {
        let total = mix.reduce(0) { $0 + $1.1 }
        var pick = Int(rng.next(below: UInt64(total)))
        for (kind, weight) in mix {
            if pick < weight { return document(kind, &rng) }
            pick -= weight
        }
        return document(mix[0].0, &rng)
    }

    static func document(_ kind: Kind, _ rng: inout SplitMix64) -> String {
        var g = TemplateRandom(rng: rng)
        defer { rng = g.rng }
        switch kind {
        case .arithmetic: return MathTemplates.arithmetic(&g)
        case .algebra: return MathTemplates.algebra(&g)
        case .fraction: return MathTemplates.fraction(&g)
        case .python: return CodeTemplates.function(&g)
        case .record: return RecordTemplates.record(&g)
        case .targetString: return RecordTemplates.targetString(&g, spelled: false)
        case .spelledTarget: return RecordTemplates.targetString(&g, spelled: true)
        }
    }
}

/// Small helpers over SplitMix64 for the templates.
struct TemplateRandom {
    var rng: SplitMix64

    /// Uniform integer in `range`.
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(rng.next(below: UInt64(range.upperBound - range.lowerBound + 1)))
    }

    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }

    mutating func chance(_ percent: Int) -> Bool { int(0...99) < percent }
}
