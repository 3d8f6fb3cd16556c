using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Xunit.Abstractions;

namespace Pcn.Architecture.Tests;

/// <summary>
/// Each library's public surface is what the other projects use: every public type of a library is named in the
/// metadata of some other product assembly (a library above it, a program, the benchmarks). What only the library
/// itself or its tests use is internal (tests see it through InternalsVisibleTo). A constant leaves no trace in the
/// metadata of the assembly that uses it (the compiler copies its value), so a type of constants only counts as used
/// when another project's source names it. A public exception is surface too: it reaches callers that catch it by a
/// base type, without naming it.
/// </summary>
public sealed class PublicSurfaceTests(ITestOutputHelper log)
{
    private static readonly string[] Libraries = ["Pcn.Abstractions", "Pcn.GpuKernels", "Pcn.Data", "Pcn.Network", "Pcn.Grains", "Pcn.Hosting"];

    private static readonly string[] Consumers = [.. Libraries, "pcn", "pcn-silo", "pcn-bench"];

    [Fact]
    public void EveryPublicTypeOfALibrary_IsUsedByAnotherProject()
    {
        var referenced = Consumers.ToDictionary(c => c, Metadata.ReferencedTypes, StringComparer.Ordinal);
        var unused = new List<string>();
        foreach (string library in Libraries)
        {
            HashSet<string> usedElsewhere = [.. referenced.Where(r => r.Key != library).SelectMany(r => r.Value.Where(t => t.Assembly == library).Select(t => t.Name))];
            string otherSources = Repository.SourcesOutside(library);
            foreach ((string type, _) in Metadata.PublicTypes(library).Where(t => !usedElsewhere.Contains(t.Name) && !(t.ConstantsOnly && NamedIn(otherSources, t.Name)) && !t.Name.EndsWith("Exception", StringComparison.Ordinal)))
            {
                unused.Add($"{library}: {type}");
            }
        }

        foreach (string u in unused)
        {
            log.WriteLine(u);
        }

        Assert.True(unused.Count == 0, $"{unused.Count} public types that no other project uses (make them internal):\n{string.Join('\n', unused)}");
    }

    [Fact]
    public void TheReader_SeesTheTypesTheProgramsUse()
    {
        // The check above is only as good as its reader: the client names these, so the reader must find them.
        HashSet<(string, string)> client = Metadata.ReferencedTypes("pcn");
        Assert.Contains(("Pcn.Hosting", "Pcn.Hosting.SiloOptions"), client);
        Assert.Contains(("Pcn.Abstractions", "Pcn.Abstractions.Grains.ITrainingCoordinatorGrain"), client);
        Assert.Contains(("Pcn.Hosting.SiloOptions", false), Metadata.PublicTypes("Pcn.Hosting"));
        Assert.Contains(("Pcn.Grains.Diagnostics.MetricNames", true), Metadata.PublicTypes("Pcn.Grains"));
        Assert.True(NamedIn(Repository.SourcesOutside("Pcn.Grains"), "Pcn.Grains.Diagnostics.MetricNames"), "src/Hosting names MetricNames.Meter");
        Assert.False(NamedIn(Repository.SourcesOutside("Pcn.Grains"), "Pcn.Grains.Diagnostics.PcnInstruments"), "only the grains name their instruments");
    }

    /// <summary>Whether <paramref name="sources"/> use a member of the type (by its simple name, as code names it).</summary>
    private static bool NamedIn(string sources, string fullName) =>
        System.Text.RegularExpressions.Regex.IsMatch(sources, $@"\b{fullName[(fullName.LastIndexOf('.') + 1)..]}\.");

    /// <summary>Reads assemblies' metadata without loading them.</summary>
    private static class Metadata
    {
        /// <summary>
        /// The public types (nested ones as Outer+Inner) that the assembly defines, less generated code, and whether
        /// a type holds nothing but constants.
        /// </summary>
        public static List<(string Name, bool ConstantsOnly)> PublicTypes(string assembly)
        {
            using var pe = new PEReader(File.OpenRead(PathOf(assembly)));
            MetadataReader md = pe.GetMetadataReader();
            var types = new List<(string, bool)>();
            foreach (TypeDefinitionHandle handle in md.TypeDefinitions)
            {
                TypeDefinition type = md.GetTypeDefinition(handle);
                if (IsVisible(md, type) && !IsGenerated(md, type))
                {
                    bool constantsOnly = type.GetMethods().Count == 0 && type.GetFields().Count > 0
                        && type.GetFields().All(f => (md.GetFieldDefinition(f).Attributes & FieldAttributes.Literal) != 0);
                    types.Add((FullName(md, type), constantsOnly));
                }
            }

            return types;
        }

        /// <summary>Every type the assembly names from another assembly: (that assembly, full name).</summary>
        public static HashSet<(string Assembly, string Name)> ReferencedTypes(string assembly)
        {
            using var pe = new PEReader(File.OpenRead(PathOf(assembly)));
            MetadataReader md = pe.GetMetadataReader();
            var types = new HashSet<(string, string)>();
            foreach (TypeReferenceHandle handle in md.TypeReferences)
            {
                (string? scope, string name) = Resolve(md, handle);
                if (scope is not null)
                {
                    types.Add((scope, name));
                }
            }

            return types;
        }

        private static (string? Assembly, string Name) Resolve(MetadataReader md, TypeReferenceHandle handle)
        {
            TypeReference reference = md.GetTypeReference(handle);
            string name = md.GetString(reference.Name);
            switch (reference.ResolutionScope.Kind)
            {
                case HandleKind.AssemblyReference:
                    string ns = md.GetString(reference.Namespace);
                    return (md.GetString(md.GetAssemblyReference((AssemblyReferenceHandle)reference.ResolutionScope).Name), ns.Length == 0 ? name : $"{ns}.{name}");
                case HandleKind.TypeReference:
                    (string? outerAssembly, string outer) = Resolve(md, (TypeReferenceHandle)reference.ResolutionScope);
                    return (outerAssembly, $"{outer}+{name}");
                default:
                    return (null, name);
            }
        }

        private static bool IsVisible(MetadataReader md, TypeDefinition type)
        {
            TypeAttributes visibility = type.Attributes & TypeAttributes.VisibilityMask;
            return visibility switch
            {
                TypeAttributes.Public => true,
                TypeAttributes.NestedPublic => IsVisible(md, md.GetTypeDefinition(type.GetDeclaringType())),
                _ => false,
            };
        }

        private static bool IsGenerated(MetadataReader md, TypeDefinition type)
        {
            string ns = md.GetString(type.Namespace);
            if (ns.StartsWith("OrleansCodeGen", StringComparison.Ordinal) || md.GetString(type.Name).Contains('<', StringComparison.Ordinal))
            {
                return true;
            }

            return type.GetCustomAttributes().Select(a => AttributeName(md, md.GetCustomAttribute(a))).Any(n => n is "CompilerGeneratedAttribute" or "GeneratedCodeAttribute");
        }

        private static string AttributeName(MetadataReader md, CustomAttribute attribute)
        {
            EntityHandle ctorType = attribute.Constructor.Kind == HandleKind.MemberReference
                ? md.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent
                : md.GetMethodDefinition((MethodDefinitionHandle)attribute.Constructor).GetDeclaringType();
            return ctorType.Kind switch
            {
                HandleKind.TypeReference => md.GetString(md.GetTypeReference((TypeReferenceHandle)ctorType).Name),
                HandleKind.TypeDefinition => md.GetString(md.GetTypeDefinition((TypeDefinitionHandle)ctorType).Name),
                _ => string.Empty,
            };
        }

        private static string FullName(MetadataReader md, TypeDefinition type)
        {
            string name = md.GetString(type.Name);
            if (type.IsNested)
            {
                return $"{FullName(md, md.GetTypeDefinition(type.GetDeclaringType()))}+{name}";
            }

            string ns = md.GetString(type.Namespace);
            return ns.Length == 0 ? name : $"{ns}.{name}";
        }

        private static string PathOf(string assembly) => Path.Combine(AppContext.BaseDirectory, assembly + ".dll");
    }
}
