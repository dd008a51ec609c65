// Validates Kubernetes manifests (the output of `kubectl kustomize` of each overlay) against the JSON schemas of their kinds
// as npm's kubernetes-models carries them (every core kind; KEDA's from @kubernetes-models/keda; Strimzi's Kafka, KafkaNodePool
// and KafkaTopic from @kubernetes-models/strimzi-kafka-operator). Kinds no registry here carries a schema for (CloudNativePG's
// Cluster and Database) are checked for structure only: apiVersion, kind, metadata.name and an object spec.
// Usage: node manifests-check.mjs <file.yaml>...   Prints one JSON line: { files: { <file>: { objects, errors } } }.
import { readFileSync } from 'node:fs'
import { parseAllDocuments } from 'yaml'

const result = { files: {} }
for (const file of process.argv.slice(2)) {
  const objects = []
  const errors = []
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
    if (doc.errors.length) {
      errors.push(`YAML: ${doc.errors.map((e) => e.message).join('; ')}`)
      continue
    }
    const object = doc.toJS()
    if (object == null) continue
    const { apiVersion, kind } = object
    const name = object.metadata?.name
    const where = `${apiVersion} ${kind} ${name}`
    let model
    try {
      const module = apiVersion.startsWith('keda.sh/') ? `@kubernetes-models/keda/${apiVersion}`
        : apiVersion.startsWith('kafka.strimzi.io/') ? `@kubernetes-models/strimzi-kafka-operator/${apiVersion}`
        : `kubernetes-models/${apiVersion}`
      model = (await import(module))[kind]
    } catch {
      model = undefined
    }
    if (model) {
      try {
        new model(object).validate()
        objects.push({ apiVersion, kind, name, checked: 'schema' })
      } catch (e) {
        errors.push(`${where}: ${e.message}`)
      }
    } else {
      const problems = []
      if (typeof apiVersion !== 'string' || !apiVersion.includes('/')) problems.push('apiVersion is not group/version')
      if (typeof kind !== 'string' || kind === '') problems.push('no kind')
      if (typeof name !== 'string' || name === '') problems.push('no metadata.name')
      if (typeof object.spec !== 'object' || object.spec === null || Array.isArray(object.spec)) problems.push('spec is not an object')
      if (problems.length) errors.push(`${where}: ${problems.join(', ')}`)
      else objects.push({ apiVersion, kind, name, checked: 'structure' })
    }
  }
  result.files[file] = { objects, errors }
}
console.log(JSON.stringify(result))
