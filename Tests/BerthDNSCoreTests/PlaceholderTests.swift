import Testing
@testable import BerthDNSCore

@Test func placeholder() {}
