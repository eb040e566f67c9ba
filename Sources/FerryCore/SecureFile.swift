import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Files that hold secret values: written atomically with mode 0600, under an exclusive lock.
///
/// A writer locks the file's folder (`flock` on the directory), writes a temporary file in the
/// same folder, `fsync`s it and renames it over the target, so two processes writing the same
/// file at once both land and a crash never leaves half a file.
///
/// ```swift
/// try SecureFile.withLock(onFolderOf: path) {
///     let current = try SecureFile.read(path)
///     try SecureFile.write(updated, to: path)
/// }
/// ```
public enum SecureFile {
    /// Reads a whole file; nil when it does not exist.
    public static func read(_ path: String) throws -> Data? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw ioError("read", path)
        }
        defer { close(fd) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc_read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ioError("read", path)
            }
            if count == 0 { break }
            data.append(contentsOf: buffer[0..<count])
        }
        return data
    }

    /// Creates `path`'s folders, each one it creates with mode 0700 from the start (never
    /// briefly wider, whatever the umask).
    public static func createParentDirectories(of path: String) throws {
        let parent = (path as NSString).deletingLastPathComponent
        guard !parent.isEmpty else { return }
        var missing: [String] = []
        var folder = parent
        while !folder.isEmpty && folder != "/" {
            var info = stat()
            if stat(folder, &info) == 0 { break }
            guard errno == ENOENT else { break }
            missing.append(folder)
            folder = (folder as NSString).deletingLastPathComponent
        }
        for folder in missing.reversed() where mkdir(folder, 0o700) != 0 && errno != EEXIST {
            throw FerryError(.io, code: "mkdir_failed", "Cannot create the folder '\(folder)': \(String(cString: strerror(errno))).")
        }
    }

    /// Atomically writes `path` with `data`, mode 0600 (temporary file, `fsync`, then `rename`
    /// over it). With `replace: false` an existing file (or symbolic link) at `path` is left as it
    /// is and ``FerryError/Kind/alreadyExists`` thrown: the temporary file is hard-linked to `path`,
    /// which fails when anything is there, so no check-then-write race.
    public static func write(_ data: Data, to path: String, replace: Bool = true) throws {
        try createParentDirectories(of: path)
        let directory = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        var template = Array((directory.isEmpty ? "." : directory).utf8CString.dropLast())
        template.append(contentsOf: Array("/.\(name).ferry-XXXXXX".utf8CString))
        let fd = mkstemp(&template)
        guard fd >= 0 else { throw ioError("create a temporary file for", path) }
        let temporary = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var succeeded = false
        defer {
            if !succeeded { unlink(temporary) }
        }
        fchmod(fd, 0o600)
        let wrote = data.withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let count = Glibc_write(fd, raw.baseAddress! + offset, raw.count - offset)
                if count < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += count
            }
            return true
        }
        guard wrote, fsync(fd) == 0 else {
            close(fd)
            throw ioError("write", path)
        }
        close(fd)
        if replace {
            guard rename(temporary, path) == 0 else { throw ioError("replace", path) }
            succeeded = true
        } else {
            guard link(temporary, path) == 0 else {
                if errno == EEXIST {
                    throw FerryError(.alreadyExists, code: "file_exists", "'\(path)' exists already; pass --force to replace it.")
                }
                throw ioError("create", path)
            }
            // `path` now names the data; the temporary name goes (the deferred unlink).
        }
        // Make the rename durable too.
        let dirFD = open(directory.isEmpty ? "." : directory, O_RDONLY | O_CLOEXEC)
        if dirFD >= 0 {
            fsync(dirFD)
            close(dirFD)
        }
    }

    /// Runs `body` holding a lock on `path`'s folder: exclusive (the folder is created if
    /// needed), or `shared` for readers (the folder must exist).
    public static func withLock<T>(onFolderOf path: String, shared: Bool = false, _ body: () throws -> T) throws -> T {
        if !shared { try createParentDirectories(of: path) }
        let directory = (path as NSString).deletingLastPathComponent
        let fd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ioError("lock the folder of", path) }
        defer { close(fd) }
        while flock(fd, shared ? LOCK_SH : LOCK_EX) != 0 {
            if errno != EINTR { throw ioError("lock the folder of", path) }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }

    /// Removes a file; false when it was not there.
    @discardableResult
    public static func remove(_ path: String) throws -> Bool {
        if unlink(path) == 0 { return true }
        if errno == ENOENT { return false }
        throw ioError("remove", path)
    }

    private static func ioError(_ action: String, _ path: String) -> FerryError {
        let reason = String(cString: strerror(errno))
        return FerryError(.io, code: "file_error", "Cannot \(action) '\(path)': \(reason).")
    }
}

#if canImport(Glibc)
private func Glibc_read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { Glibc.read(fd, buffer, count) }
private func Glibc_write(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int { Glibc.write(fd, buffer, count) }
#else
private func Glibc_read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { Darwin.read(fd, buffer, count) }
private func Glibc_write(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int { Darwin.write(fd, buffer, count) }
#endif
