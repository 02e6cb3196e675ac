public import Foundation

/// Finds the model folder an executable should use when none is given explicitly.
///
/// Executables pass in what they read from the process (environment, executable path, working
/// directory), so this stays a pure function that libraries and tests can call with any values.
public enum ModelLocator {
    /// The folder name of the default model under `models/`.
    public static let defaultModelName = "all-MiniLM-L6-v2"
    /// The environment variable that overrides the model folder.
    public static let environmentKey = "HQ_MODEL_DIR"
    /// The environment variable that names the model (a folder under `models/`, e.g. `bge-small-en-v1.5`).
    public static let modelNameKey = "HQ_MODEL"

    /// Resolves the default model folder.
    ///
    /// Order: `HQ_MODEL_DIR` if set and non-empty; else `models/<name>` (`<name>` from `HQ_MODEL` if set,
    /// else `modelName`) in the executable's folder or
    /// one of its ancestors (the binary lives at `.build/release/hq`, so `<exe dir>/../../models/<name>`
    /// is found); else `models/<name>` under the current directory, which is also the fallback answer
    /// when nothing exists (loading it then fails with an error naming that path).
    /// - Parameters:
    ///   - modelName: folder name under `models/` when `HQ_MODEL` is unset.
    ///   - environment: the process environment.
    ///   - executablePath: path of the running binary (e.g. `CommandLine.arguments[0]`), if known.
    ///   - currentDirectory: the working directory.
    /// - Returns: the folder to load the model from.
    public static func defaultDirectory(
        modelName: String = defaultModelName,
        environment: [String: String],
        executablePath: String?,
        currentDirectory: String
    ) -> URL {
        if let dir = environment[environmentKey], !dir.isEmpty {
            return URL(fileURLWithPath: dir, isDirectory: true)
        }
        var name = modelName
        if let chosen = environment[modelNameKey]?.trimmingCharacters(in: .whitespaces), !chosen.isEmpty,
            !chosen.contains("/"), chosen != "..", chosen != "."
        {
            name = chosen
        }
        let relative = "models/" + name
        var candidates: [URL] = []
        if let executablePath, !executablePath.isEmpty {
            let exe = URL(fileURLWithPath: executablePath, relativeTo: URL(fileURLWithPath: currentDirectory))
            // Both the path as invoked and with symlinks resolved: `.build/release` links to
            // `.build/<triple>/release`, which sits one level deeper.
            for start in [exe, exe.resolvingSymlinksInPath()] {
                var dir = start.deletingLastPathComponent()
                for _ in 0..<4 {
                    candidates.append(dir.appendingPathComponent(relative, isDirectory: true))
                    dir = dir.deletingLastPathComponent()
                }
            }
        }
        let fromCurrent = URL(fileURLWithPath: currentDirectory).appendingPathComponent(relative, isDirectory: true)
        candidates.append(fromCurrent)
        for candidate in candidates
        where FileManager.default.fileExists(atPath: candidate.appendingPathComponent("config.json").path) {
            return candidate.standardizedFileURL
        }
        return fromCurrent.standardizedFileURL
    }

    /// The model folder in `modelsDirectory` whose manifest (`<name>.json`, read by the loader) names `modelID`, or
    /// nil when none does.
    public static func directory(forModelID modelID: String, in modelsDirectory: URL) -> URL? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: modelsDirectory.path)) ?? []
        for name in names.sorted() where name.hasSuffix(".json") {
            let directory = modelsDirectory.appendingPathComponent(String(name.dropLast(5)), isDirectory: true)
            if (try? ModelManifest.beside(directory))??.modelID == modelID { return directory }
        }
        return nil
    }
}
