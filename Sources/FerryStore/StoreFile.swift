import FerryCore
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The store's file as found on disk, looked at without following a symbolic link: what
/// ``StoreDatabase`` checks before it lets SQLite open a file that will hold secret values.
struct StoreFile: Equatable {
    /// Device and inode: the same pair before and after SQLite opens the path means the same file.
    let identity: [UInt64]
    /// The permission bits.
    let mode: UInt32
    let owner: UInt32

    /// The file at `path`; nil when nothing is there. A symbolic link (dangling or not) and
    /// anything but a regular file are refused, never followed.
    static func inspect(_ path: String) throws -> StoreFile? {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return nil }
            throw FerryError(.io, code: .storeStat, "Cannot look at the store '\(path)': \(String(cString: strerror(errno))).")
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG:
            return StoreFile(identity: [UInt64(info.st_dev), UInt64(info.st_ino)], mode: UInt32(info.st_mode & 0o7777),
                             owner: UInt32(info.st_uid))
        case S_IFLNK:
            throw FerryError(.configuration, code: .storeSymlink,
                             "The store '\(path)' is a symbolic link; Ferry opens and creates its store only as a regular file, never through a link. Name the real file with --store if you trust it.")
        default:
            throw FerryError(.configuration, code: .storeNotFile, "The store '\(path)' is not a regular file.")
        }
    }

    /// Creates the file, 0600, failing rather than following a link that appeared at `path`;
    /// a file that another process created meanwhile is taken as found.
    static func create(_ path: String) throws -> StoreFile {
        try SecureFile.createParentDirectories(of: path)
        let fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0o600)
        if fd >= 0 {
            // Whatever the umask: readable and writable by the owner, by no one else.
            fchmod(fd, 0o600)
            close(fd)
        } else if errno != EEXIST {
            throw FerryError(.io, code: .storeCreate, "Cannot create the store '\(path)': \(String(cString: strerror(errno))).")
        }
        guard let file = try inspect(path) else {
            throw FerryError(.io, code: .storeCreate, "The store '\(path)' disappeared while Ferry created it; try again.")
        }
        return file
    }

    /// Refuses a file of another user, or one that others can write: its values would not be private.
    func checkOwnership(_ path: String) throws {
        if owner != geteuid() {
            throw FerryError(.configuration, code: .storeNotOwned,
                             "The store '\(path)' belongs to another user (uid \(owner)); Ferry keeps secrets only in a file of its own user.")
        }
        if mode & 0o022 != 0 {
            throw FerryError(.configuration, code: .storeWritableByOthers,
                             "The store '\(path)' can be written by other users (mode \(String(mode, radix: 8))); Ferry will not keep secrets in it. If you trust its content, `chmod 600` it.")
        }
    }

    /// Whether others than the owner can read it.
    var othersCanRead: Bool { mode & 0o044 != 0 }

    /// Makes the database and SQLite's files beside it (`-wal`, `-shm`, `-journal`) 0600 when
    /// they are this user's and wider; they hold values too.
    static func tighten(_ path: String) throws {
        for name in [path, path + "-wal", path + "-shm", path + "-journal"] {
            var info = stat()
            guard lstat(name, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_uid == geteuid(), info.st_mode & 0o077 != 0
            else { continue }
            guard chmod(name, 0o600) == 0 else {
                throw FerryError(.io, code: .storeChmod, "Cannot make '\(name)' private (mode 0600): \(String(cString: strerror(errno))).")
            }
        }
    }
}
