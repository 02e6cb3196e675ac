import HQCore
import Foundation

/// The pinned description of a model folder written by `scripts/setup`: `models/<name>.json` beside
/// `models/<name>/`, with `"files": {relative path: sha256}` and the model's `"model_id"`.
struct ModelManifest: Sendable {
    let url: URL
    let modelID: String?
    let files: [String: String]

    /// The manifest next to `directory`, or nil if there is none.
    static func beside(_ directory: URL) throws(EmbeddingError) -> ModelManifest? {
        let dir = directory.standardizedFileURL
        let url = dir.deletingLastPathComponent().appendingPathComponent(dir.lastPathComponent + ".json")
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let files = object["files"] as? [String: String]
        else {
            throw EmbeddingError(.modelFileCorrupt, "\(url.path) has no \"files\" table", hint: EmbeddingError.setupHint)
        }
        return ModelManifest(url: url, modelID: object["model_id"] as? String, files: files)
    }

    /// Checks every listed file's SHA-256.
    /// - Throws: `.modelFileMissing` or `.integrityMismatch` naming the first bad file.
    func verify(directory: URL) throws(EmbeddingError) {
        for (relativePath, expected) in files.sorted(by: { $0.key < $1.key }) {
            let path = directory.appendingPathComponent(relativePath).path
            let file = try MappedFile(path: path)
            let actual = SHA256.hexDigest(file.bytes)
            guard actual == expected.lowercased() else {
                throw EmbeddingError(
                    .integrityMismatch, "\(path) has sha256 \(actual), \(url.lastPathComponent) pins \(expected)",
                    hint: EmbeddingError.setupHint)
            }
        }
    }
}
