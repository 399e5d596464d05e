import CLibXML2
import Foundation

/// HTML named entities (`&eacute;`, `&nbsp;`, `&mdash;`) for RSS documents that use them
/// without declaring them. libxml2's SAX parser asks `getEntity` for every undeclared
/// name; we answer from libxml2's own HTML 4 table with an entity marked *predefined*,
/// which makes libxml2 pass its text straight to `characters` — no expansion machinery,
/// so nothing here can be used for an entity bomb.
enum HTMLEntities {
    /// Entities live for the whole process: there are 253 names at most, each made once.
    private final class Table: @unchecked Sendable {
        let lock = NSLock()
        var entities: [String: UnsafeMutablePointer<xmlEntity>] = [:]
    }
    private static let table = Table()

    static func entity(named name: UnsafePointer<xmlChar>) -> UnsafeMutablePointer<xmlEntity>? {
        if let predefined = xmlGetPredefinedEntity(name) { return predefined }
        guard let description = htmlEntityLookup(name) else { return nil }
        let key = String(cString: name)
        table.lock.lock()
        defer { table.lock.unlock() }
        if let existing = table.entities[key] { return existing }

        guard let scalar = Unicode.Scalar(description.pointee.value) else { return nil }
        let utf8 = Array(String(Character(scalar)).utf8)
        let entity = UnsafeMutablePointer<xmlEntity>.allocate(capacity: 1)
        entity.initialize(to: xmlEntity())
        entity.pointee.type = XML_ENTITY_DECL
        entity.pointee.name = UnsafePointer(xmlStrdup(name))
        entity.pointee.content = utf8.withUnsafeBufferPointer { xmlStrndup($0.baseAddress, Int32($0.count)) }
        entity.pointee.length = Int32(utf8.count)
        entity.pointee.etype = XML_INTERNAL_PREDEFINED_ENTITY
        table.entities[key] = entity
        return entity
    }
}
