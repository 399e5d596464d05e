import Config
import Fetcher

extension Fetcher {
    /// A fetcher with the limits a `feeds.conf` asks for (`default max-transfers=`, `max-per-host=`).
    public convenience init(network: NetworkSettings) {
        self.init(maximumConcurrentTransfers: network.maximumTransfers, maximumTransfersPerHost: network.maximumPerHost,
                  maximumBodies: network.memory.bodiesHeld)
    }
}
