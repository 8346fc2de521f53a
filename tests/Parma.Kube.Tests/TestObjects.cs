using Parma.Kube.Models;

namespace Parma.Kube.Tests;

internal static class TestObjects
{
    public static ConfigMap ConfigMap(string ns, string name, Dictionary<string, string>? data = null, Dictionary<string, string>? labels = null) =>
        new()
        {
            Metadata = new ObjectMeta { Name = name, Namespace = ns, Labels = labels },
            Data = data ?? new() { ["k"] = "v" },
        };

    public static Pod Pod(string ns, string name, string image = "registry.example/app:1") =>
        new()
        {
            Metadata = new ObjectMeta { Name = name, Namespace = ns },
            Spec = new PodSpec
            {
                RuntimeClassName = "kata-qemu-snp",
                Containers =
                [
                    new Container
                    {
                        Name = "app",
                        Image = image,
                        Command = ["/bin/app"],
                        Env = [new EnvVar { Name = "MODE", Value = "prod" }],
                        VolumeMounts = [new VolumeMount { Name = "data", MountPath = "/data" }],
                        SecurityContext = new SecurityContext { Privileged = false, Capabilities = new Capabilities { Drop = ["ALL"] } },
                        LivenessProbe = new Probe { HttpGet = new HttpGetAction { Path = "/healthz", Port = 8080 } },
                    },
                ],
                Volumes = [new Volume { Name = "data", EmptyDir = new EmptyDirVolumeSource() }],
            },
        };

    public static Deployment Deployment(string ns, string name, int replicas = 1) =>
        new()
        {
            Metadata = new ObjectMeta { Name = name, Namespace = ns },
            Spec = new DeploymentSpec
            {
                Replicas = replicas,
                Selector = new LabelSelector { MatchLabels = new() { ["app"] = name } },
                Template = new PodTemplateSpec
                {
                    Metadata = new ObjectMeta { Labels = new() { ["app"] = name } },
                    Spec = new PodSpec { Containers = [new Container { Name = "app", Image = "registry.example/app:1" }] },
                },
            },
        };
}
