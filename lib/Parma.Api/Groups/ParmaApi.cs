namespace Parma.Api;

/// <summary>Where ConfidentialPodGroup lives in the Kubernetes API.</summary>
public static class ParmaApi
{
    public const string Group = "parma.dev";
    public const string Version = "v1alpha1";
    public const string ApiVersion = Group + "/" + Version;
    public const string Kind = "ConfidentialPodGroup";
    public const string ListKind = "ConfidentialPodGroupList";
    public const string Plural = "confidentialpodgroups";
    public const string Singular = "confidentialpodgroup";
    public const string ShortName = "cpg";
    public const string CrdName = Plural + "." + Group;
}
