import Testing
@testable import HTTPTransport

@Test func HTTPTransportModuleLinks() {
    #expect(Bool(true))
}
