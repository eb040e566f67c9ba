import FerryCore
import Testing

/// D5 (passwords of store URLs in messages) and D10 (terminal controls in names) of the 2026-12 review.
struct DisplaySafetyTests {
    @Test(arguments: [
        ("mysql://zenml:S3cretPassw0rd@db.internal/zenml", "mysql://zenml:***@db.internal/zenml"),
        ("postgresql://u:S3cret@127.0.0.1:5432/x?sslmode=require&password=S3cret&ssl_key=/k.pem",
         "postgresql://u:***@127.0.0.1:5432/x?sslmode=require"),
        ("mysql://user@host/db?sslpassword=S3cret", "mysql://user@host/db"),
        ("mysql://u:p%40ss:w@rd@host/db", "mysql://u:***@host/db"),
        ("https://user:S3cret@zenml.example.com/#token=S3cret", "https://user:***@zenml.example.com/#…"),
        ("mysql://u:pa/ss?w@rd@host/db", "mysql://u:***@host/db"),
        ("sqlite:////tmp/zenml.db", "sqlite:////tmp/zenml.db"),
        ("/plain/path.db", "/plain/path.db"),
    ])
    func redactedURLKeepsEverythingButCredentials(_ url: String, _ expected: String) {
        #expect(DisplaySafety.redactedURL(url) == expected)
        #expect(!DisplaySafety.redactedURL(url).contains("S3cret"))
    }

    @Test func escapedShowsEveryControlVisibly() {
        #expect(DisplaySafety.escaped("\u{1B}[2Jx\ny\rz\tw\u{7F}\u{9B}\u{202E}\u{2066}") == #"\e[2Jx\ny\rz\tw\u{7f}\u{9b}\u{202e}\u{2066}"#)
        #expect(DisplaySafety.escaped("a\nb\u{1B}", keepingNewlines: true) == "a\nb\\e")
        let plain = #"ünïcode 名前 \e already"#
        #expect(DisplaySafety.escaped(plain) == plain)
        #expect(DisplaySafety.escaped(DisplaySafety.escaped("\u{1B}x")) == DisplaySafety.escaped("\u{1B}x"))
    }
}
