// Package finzone holds the domain of the cluster finance zone (集群融资专区):
// organizations, users, clusters, projects (financing needs) and products,
// their validation rules, who may see or change what, and the error codes
// every edge of the platform speaks. It imports only the standard library;
// every other package points toward it.
package finzone
