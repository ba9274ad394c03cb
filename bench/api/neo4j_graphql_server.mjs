// The county's person 360 served by @neo4j/graphql, the library a GraphQL-on-Neo4j user
// would pick: the same Neo4j, an equivalent schema, Apollo Server. Used by bench/api only.
// Usage: node neo4j_graphql_server.mjs PORT BOLT_URI USER PASSWORD
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { Neo4jGraphQL } from "@neo4j/graphql";
import neo4j from "neo4j-driver";

const [port, uri, user, password] = process.argv.slice(2);

const typeDefs = `#graphql
  type Membership @relationshipProperties { relation: String, since: Date, until: Date }
  type Person @node {
    id_number: String!
    name: String
    sex: String
    birth_date: Date
    households: [Household!]! @relationship(type: "MEMBER_OF", direction: OUT, properties: "Membership")
    phones: [Phone!]! @relationship(type: "HAS_PHONE", direction: OUT)
    accounts: [BankAccount!]! @relationship(type: "HOLDS_ACCOUNT", direction: OUT)
    covered_by: [Enrollment!]! @relationship(type: "COVERS", direction: IN)
    granted: [Enrollment!]! @relationship(type: "GRANTED_TO", direction: IN)
    applied: [Case!]! @relationship(type: "APPLIED_FOR", direction: OUT)
  }
  type Household @node {
    household_id: String!
    address: String
    village_code: String
    members: [Person!]! @relationship(type: "MEMBER_OF", direction: IN, properties: "Membership")
    grants: [Enrollment!]! @relationship(type: "GRANTED_TO", direction: IN)
  }
  type Phone @node { number: String! }
  type BankAccount @node { number: String!, bank: String }
  type Enrollment @node {
    enrollment_id: String!
    programme_code: String
    monthly_amount_fen: Int
    payments: [Payment!]! @relationship(type: "FOR_ENROLLMENT", direction: IN)
  }
  type Payment @node { payment_id: String!, period: String, amount_fen: Int }
  type Case @node { case_id: String!, status: String, programme_code: String }
`;

const driver = neo4j.driver(uri, neo4j.auth.basic(user, password), { maxConnectionPoolSize: 64 });
const neoSchema = new Neo4jGraphQL({ typeDefs, driver });
const server = new ApolloServer({ schema: await neoSchema.getSchema() });
const { url } = await startStandaloneServer(server, { listen: { port: Number(port), host: "127.0.0.1" } });
console.log(`ready ${url}`);
