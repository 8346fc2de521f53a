using System.Collections.Concurrent;
using System.Reflection;
using k8s.Models;

namespace Parma.Kube.Resources;

/// <summary>Where a model type lives in the API (group, version, plural), read from its <see cref="KubernetesEntityAttribute"/>.</summary>
public sealed record KubeResource(string Group, string Version, string Plural, string Kind)
{
    private static readonly ConcurrentDictionary<Type, KubeResource> Known = new();

    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public static KubeResource For<T>() => For(typeof(T));

    public static KubeResource For(Type type) =>
        Known.GetOrAdd(type, static t =>
        {
            var entity = t.GetCustomAttribute<KubernetesEntityAttribute>()
                ?? throw new InvalidOperationException($"{t.Name} has no [KubernetesEntity] attribute.");
            if (string.IsNullOrEmpty(entity.PluralName))
            {
                throw new InvalidOperationException($"{t.Name} is not a resource (its [KubernetesEntity] has no plural name).");
            }

            return new KubeResource(entity.Group ?? "", entity.ApiVersion, entity.PluralName, entity.Kind);
        });
}
