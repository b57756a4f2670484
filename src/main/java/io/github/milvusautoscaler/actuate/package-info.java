/**
 * Kubernetes adapters that read and write replica counts through the object that owns them (Milvus
 * resource or Helm Deployment), Events and leader election. dry-run is the engine's (Engine.setDryRun), so a
 * config reload can switch it.
 *
 * <p>Assembly (the CLI does this; nothing here reads the config package):
 * <pre>{@code
 * ApiClient client = ApiClients.create(kubernetesOptions);
 * ScaledObjects scaledObjects = new ScaledObjects(kubernetesOptions);
 * ReplicaActuator actuator = RoutingActuator.forCluster(client, kubernetesOptions, scaledObjects);
 * LeaderElection election = LeaderElection.create(client, leaderElectionOptions, System::nanoTime);
 * election.start();                                   // close() on SIGTERM releases the Lease
 * KubernetesEventSink events = new KubernetesEventSink(client, kubernetesOptions, scaledObjects,
 *         election, clock, election.identity());
 * // per tick: status = actuator.read(target); decide; if (election.isLeader()) actuator.apply(decision, status);
 * }</pre>
 */
package io.github.milvusautoscaler.actuate;
