public import Foundation
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
            throw FerryError(.io, code: .mkdirFailed, "Cannot create the folder '\(folder)': \(String(cString: strerror(errno))).")
        }
    }

    /// Atomically replaces `path` with `data`, mode 0600 (temporary file, `fsync`, `rename`).
    ///
    /// On Linux the temporary file is created without a name (`O_TMPFILE`) and gets one only once
    /// it is complete, just before the rename, so a process killed while writing leaves nothing; a
    /// kill in the instant between the two, or a file system without `O_TMPFILE`, can leave a
    /// `.<name>.ferry-XXXXXX` file, which ``removeStaleTemporaries(of:)`` removes.
    ///
    /// With `replace: false` an existing file (or symbolic link) at `path` is left as it is and
    /// ``FerryError/Kind/alreadyExists`` thrown: the complete file is hard-linked to `path`, which
    /// fails when anything is there, so there is no check-then-write race.
    public static func write(_ data: Data, to path: String, replace: Bool = true) throws {
        try createParentDirectories(of: path)
        let directory = (path as NSString).deletingLastPathComponent
        let folder = directory.isEmpty ? "." : directory
        let prefix = folder + "/" + temporaryPrefix(of: path)
        #if os(Linux)
        let anonymous = open(folder, oTmpFile | O_WRONLY | O_CLOEXEC, 0o600)
        if anonymous >= 0 {
            fchmod(anonymous, 0o600)
            var named: String?
            defer {
                close(anonymous)
                if let named { unlink(named) }
            }
            guard writeAll(data, to: anonymous), fsync(anonymous) == 0 else { throw ioError("write", path) }
            if !replace {
                if linkat(AT_FDCWD, "/proc/self/fd/\(anonymous)", AT_FDCWD, path, AT_SYMLINK_FOLLOW) == 0 {
                    syncFolder(folder)
                    return
                }
                if errno == EEXIST { throw exists(path) }
            }
            // A name for the complete file (retried on the rare clash), then the rename over `path`.
            for _ in 0..<100 {
                let candidate = prefix + String((0..<6).map { _ in temporaryLetters.randomElement()! })
                if linkat(AT_FDCWD, "/proc/self/fd/\(anonymous)", AT_FDCWD, candidate, AT_SYMLINK_FOLLOW) == 0 {
                    named = candidate
                    break
                }
                if errno != EEXIST { break }
            }
            if let temporary = named, replace {
                guard rename(temporary, path) == 0 else { throw ioError("replace", path) }
                named = nil
                syncFolder(folder)
                return
            }
            // No /proc, or linkat refused: write a named temporary file as below.
        }
        #endif
        var template = Array(prefix.utf8CString.dropLast())
        template.append(contentsOf: Array("XXXXXX".utf8CString))
        let fd = mkstemp(&template)
        guard fd >= 0 else { throw ioError("create a temporary file for", path) }
        let temporary = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var succeeded = false
        defer {
            if !succeeded { unlink(temporary) }
        }
        fchmod(fd, 0o600)
        guard writeAll(data, to: fd), fsync(fd) == 0 else {
            close(fd)
            throw ioError("write", path)
        }
        close(fd)
        if replace {
            guard rename(temporary, path) == 0 else { throw ioError("replace", path) }
            succeeded = true
        } else {
            // `path` gets the data; the temporary name goes (the deferred unlink).
            guard link(temporary, path) == 0 else { throw errno == EEXIST ? exists(path) : ioError("create", path) }
        }
        syncFolder(folder)
    }

    private static func exists(_ path: String) -> FerryError {
        FerryError(.alreadyExists, code: .fileExists, "'\(path)' exists already; pass --force to replace it.")
    }

    /// The name prefix of ``write(_:to:)``'s temporary files for `path`: `.<name>.ferry-`.
    static func temporaryPrefix(of path: String) -> String { "." + (path as NSString).lastPathComponent + ".ferry-" }

    private static let temporaryLetters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

    /// Removes the temporary files of ``write(_:to:)`` for `path` that a killed process left in its
    /// folder (`.<name>.ferry-` and six letters or digits); returns how many. Call it only while
    /// holding ``withLock(onFolderOf:_:)``, under which every such write runs: a temporary file
    /// seen then belongs to no running writer.
    @discardableResult
    public static func removeStaleTemporaries(of path: String) throws -> Int {
        let directory = (path as NSString).deletingLastPathComponent
        let folder = directory.isEmpty ? "." : directory
        let prefix = temporaryPrefix(of: path)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return 0 }
        var removed = 0
        for name in names where name.hasPrefix(prefix) && name.count == prefix.count + 6
            && name.dropFirst(prefix.count).allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) })
        {
            if try remove(folder + "/" + name) { removed += 1 }
        }
        return removed
    }

    /// Writes all of `data` to `fd`; false on an error.
    private static func writeAll(_ data: Data, to fd: Int32) -> Bool {
        data.withUnsafeBytes { raw -> Bool in
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
    }

    /// Makes a rename in `folder` durable.
    private static func syncFolder(_ folder: String) {
        let dirFD = open(folder, O_RDONLY | O_CLOEXEC)
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
        return FerryError(.io, code: .fileError, "Cannot \(action) '\(path)': \(reason).")
    }
}

#if os(Linux)
/// Linux's `O_TMPFILE` (`__O_TMPFILE | O_DIRECTORY`; the macro does not reach Swift).
private let oTmpFile: Int32 = 0o20000000 | O_DIRECTORY
#endif

#if canImport(Glibc)
private func Glibc_read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { Glibc.read(fd, buffer, count) }
private func Glibc_write(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int { Glibc.write(fd, buffer, count) }
#else
private func Glibc_read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { Darwin.read(fd, buffer, count) }
private func Glibc_write(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int { Darwin.write(fd, buffer, count) }
#endif
