using System.Text.Json.Serialization;
using Parma.Kube.Models;

namespace Parma.Kube.Serialization;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Pod))]
[JsonSerializable(typeof(PodTemplateSpec))]
[JsonSerializable(typeof(ConfigMap))]
[JsonSerializable(typeof(Secret))]
[JsonSerializable(typeof(Namespace))]
[JsonSerializable(typeof(ServiceAccount))]
[JsonSerializable(typeof(Event))]
[JsonSerializable(typeof(Lease))]
[JsonSerializable(typeof(RuntimeClass))]
[JsonSerializable(typeof(Deployment))]
[JsonSerializable(typeof(StatefulSet))]
[JsonSerializable(typeof(DaemonSet))]
[JsonSerializable(typeof(ReplicaSet))]
[JsonSerializable(typeof(Job))]
[JsonSerializable(typeof(CronJob))]
[JsonSerializable(typeof(Status))]
[JsonSerializable(typeof(ObjectMeta))]
[JsonSerializable(typeof(KubeList<Pod>))]
[JsonSerializable(typeof(KubeList<ConfigMap>))]
[JsonSerializable(typeof(KubeList<Secret>))]
[JsonSerializable(typeof(KubeList<Namespace>))]
[JsonSerializable(typeof(KubeList<ServiceAccount>))]
[JsonSerializable(typeof(KubeList<Event>))]
[JsonSerializable(typeof(KubeList<Lease>))]
[JsonSerializable(typeof(KubeList<RuntimeClass>))]
[JsonSerializable(typeof(KubeList<Deployment>))]
[JsonSerializable(typeof(KubeList<StatefulSet>))]
[JsonSerializable(typeof(KubeList<DaemonSet>))]
[JsonSerializable(typeof(KubeList<ReplicaSet>))]
[JsonSerializable(typeof(KubeList<Job>))]
[JsonSerializable(typeof(KubeList<CronJob>))]
[JsonSerializable(typeof(DeleteOptions))]
public sealed partial class KubeJsonContext : JsonSerializerContext
{
}
