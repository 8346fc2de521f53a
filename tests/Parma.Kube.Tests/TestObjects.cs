using k8s.Models;

namespace Parma.Kube.Tests;

internal static class TestObjects
{
    public static V1ConfigMap ConfigMap(string ns, string name, Dictionary<string, string>? data = null, Dictionary<string, string>? labels = null) =>
        new()
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = labels },
            Data = data ?? new Dictionary<string, string> { ["k"] = "v" },
        };

    public static V1Pod Pod(string ns, string name, string image = "registry.example/app:1") =>
        new()
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
            Spec = new V1PodSpec
            {
                RuntimeClassName = "kata-qemu-snp",
                Containers =
                [
                    new V1Container
                    {
                        Name = "app",
                        Image = image,
                        Command = ["/bin/app"],
                        Env = [new V1EnvVar { Name = "MODE", Value = "prod" }],
                        VolumeMounts = [new V1VolumeMount { Name = "data", MountPath = "/data" }],
                        SecurityContext = new V1SecurityContext { Privileged = false, Capabilities = new V1Capabilities { Drop = ["ALL"] } },
                        LivenessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/healthz", Port = 8080 } },
                    },
                ],
                Volumes = [new V1Volume { Name = "data", EmptyDir = new V1EmptyDirVolumeSource() }],
            },
        };

    public static V1Deployment Deployment(string ns, string name, int replicas = 1) =>
        new()
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
            Spec = new V1DeploymentSpec
            {
                Replicas = replicas,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = name } },
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Image = "registry.example/app:1" }] },
                },
            },
        };
}
