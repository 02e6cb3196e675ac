public import Foundation

/// A BEIR-format dataset folder: `corpus.jsonl`, `queries.jsonl`, `qrels/<split>.tsv` (`test`, `train`, `dev`).
///
/// Parameters are chosen on a training split and reported on the test split, so the split is part of every figure.
public struct BEIRDataset: Sendable {
    /// One corpus document.
    public struct Document: Sendable, Hashable {
        /// The dataset's id (`_id`).
        public var id: String
        /// Title (may be empty).
        public var title: String
        /// Body text.
        public var text: String
    }

    /// The folder's name (e.g. `scifact`).
    public var name: String
    /// The judgement split the queries come from (`test`, `train`, …).
    public var split: String
    /// Corpus documents in file order.
    public var documents: [Document]
    /// Query text by query id (only queries with judgements are kept).
    public var queries: [(id: String, text: String)]
    /// Relevance grade by query id, then document id (grades ≤ 0 dropped).
    public var qrels: [String: [String: Int]]

    /// Loads a dataset folder with the judgements of `split`.
    /// - Throws: ``SearchError`` `dataset` when `split` is not a plain name, a file is missing or a line is malformed.
    public init(directory: String, split: String = "test") throws {
        guard !split.isEmpty, split.count <= 64,
            split.unicodeScalars.allSatisfy({
                $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_")
            })
        else {
            throw SearchError(.dataset, "the split must be a name such as test or train (letters, digits, - and _)")
        }
        let base = URL(fileURLWithPath: directory, isDirectory: true)
        name = base.standardizedFileURL.lastPathComponent
        self.split = split
        qrels = [:]
        let qrelFile = "qrels/\(split).tsv"
        let qrelText = try Self.read(base.appendingPathComponent(qrelFile))
        for (number, line) in qrelText.split(separator: "\n").enumerated() {
            let fields = line.split(separator: "\t").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            guard fields.count >= 3 else { throw SearchError(.dataset, "\(qrelFile) line \(number + 1)") }
            if number == 0, Int(fields[2]) == nil { continue }  // header
            guard let grade = Int(fields[2]) else { throw SearchError(.dataset, "\(qrelFile) line \(number + 1)") }
            if grade > 0 { qrels[fields[0], default: [:]][fields[1]] = grade }
        }
        documents = try Self.jsonLines(base.appendingPathComponent("corpus.jsonl")).map { object in
            Document(
                id: Self.string(object["_id"]), title: Self.string(object["title"]), text: Self.string(object["text"]))
        }
        let judged = qrels
        queries = try Self.jsonLines(base.appendingPathComponent("queries.jsonl")).compactMap { object in
            let id = Self.string(object["_id"])
            return judged[id] == nil ? nil : (id, Self.string(object["text"]))
        }
    }

    private static func read(_ url: URL) throws -> String {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw SearchError(
                .dataset,
                "cannot read \(url.deletingLastPathComponent().lastPathComponent == "qrels" ? "qrels/" : "")\(url.lastPathComponent)"
            )
        }
        return String(decoding: data, as: UTF8.self)
    }

    private static func jsonLines(_ url: URL) throws -> [[String: Any]] {
        try read(url).split(separator: "\n").enumerated().compactMap { number, line in
            if line.allSatisfy(\.isWhitespace) { return nil }
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw SearchError(.dataset, "\(url.lastPathComponent) line \(number + 1) is not a JSON object")
            }
            return object
        }
    }

    private static func string(_ value: Any?) -> String {
        switch value {
        case let s as String: s
        case let n as NSNumber: n.stringValue
        default: ""
        }
    }
}
