import CLibXML2
import Glibc

/// Entities a document declares in its internal DTD subset (`<!DOCTYPE rss [<!ENTITY
/// copy "(C) Example">]>`) and then uses. Only plain text is honoured — no markup, no
/// other entity inside it (character references are already expanded by libxml2 when it
/// reads the declaration) — at most 64 entities of 4 KB each: each use then costs at
/// most 4 KB, and no expansion can grow by itself (the billion laughs need an entity made
/// of entities). External entities (`SYSTEM`, `PUBLIC`) are never declared here, so
/// never loaded. Answered to libxml2 as *predefined* entities, which it inlines as text.
final class DeclaredEntities {
    static let maximumCount = 64
    static let maximumLength = 4096

    private var entities: [String: UnsafeMutablePointer<xmlEntity>] = [:]

    func declare(name: UnsafePointer<xmlChar>, content: UnsafeMutablePointer<xmlChar>) {
        let key = String(cString: name)
        let length = Int(xmlStrlen(content))
        guard entities.count < Self.maximumCount, entities[key] == nil, length <= Self.maximumLength else { return }
        let bytes = UnsafeBufferPointer(start: content, count: length)
        guard !bytes.contains(UInt8(ascii: "&")), !bytes.contains(UInt8(ascii: "<")) else { return }
        let entity = UnsafeMutablePointer<xmlEntity>.allocate(capacity: 1)
        entity.initialize(to: xmlEntity())
        entity.pointee.type = XML_ENTITY_DECL
        entity.pointee.name = UnsafePointer(xmlStrdup(name))
        entity.pointee.content = xmlStrndup(content, Int32(length))
        entity.pointee.length = Int32(length)
        entity.pointee.etype = XML_INTERNAL_PREDEFINED_ENTITY
        entities[key] = entity
    }

    func entity(named name: UnsafePointer<xmlChar>) -> UnsafeMutablePointer<xmlEntity>? {
        guard !entities.isEmpty else { return nil }
        return entities[String(cString: name)]
    }

    deinit {
        for entity in entities.values {
            free(UnsafeMutableRawPointer(mutating: entity.pointee.name))  // xmlStrdup uses malloc (libxml2's default allocator)
            free(entity.pointee.content)
            // libxml2 hands the declaration's raw value to the entity `getEntity` returns
            // for it (`orig`, once) and leaves it to the entity's owner.
            free(entity.pointee.orig)
            entity.deinitialize(count: 1)
            entity.deallocate()
        }
    }
}
