import Glibc

/// A whole file mapped read-only into memory; unmapped when the last reference goes.
///
/// `@unchecked Sendable`: the mapping is `PROT_READ` and never remapped or written after `init`, so
/// concurrent reads through `bytes` are safe for the lifetime of the object.
final class MappedFile: @unchecked Sendable {
    /// The file's bytes.
    let bytes: UnsafeRawBufferPointer
    let path: String

    /// Maps `path`.
    /// - Throws: `.modelFileMissing` if it cannot be opened, `.modelFileCorrupt` if it is empty.
    init(path: String) throws(EmbeddingError) {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw EmbeddingError(.modelFileMissing, "cannot open \(path)", hint: EmbeddingError.setupHint)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_size > 0 else {
            throw EmbeddingError(.modelFileCorrupt, "\(path) is empty or unreadable", hint: EmbeddingError.setupHint)
        }
        let size = Int(info.st_size)
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw EmbeddingError(.modelFileMissing, "cannot map \(path)", hint: EmbeddingError.setupHint)
        }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count)
    }
}
