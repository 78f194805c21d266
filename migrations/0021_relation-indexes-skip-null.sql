DROP INDEX `activities_contact_idx`;--> statement-breakpoint
DROP INDEX `activities_lead_idx`;--> statement-breakpoint
DROP INDEX `activities_deal_idx`;--> statement-breakpoint
DROP INDEX `activities_owner_idx`;--> statement-breakpoint
CREATE INDEX `activities_contact_idx` ON `activities` (`contact`) WHERE "deleted_at" IS NULL AND "contact" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `activities_lead_idx` ON `activities` (`lead`) WHERE "deleted_at" IS NULL AND "lead" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `activities_deal_idx` ON `activities` (`deal`) WHERE "deleted_at" IS NULL AND "deal" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `activities_owner_idx` ON `activities` (`owner`) WHERE "deleted_at" IS NULL AND "owner" IS NOT NULL;--> statement-breakpoint
DROP INDEX `contacts_organization_idx`;--> statement-breakpoint
DROP INDEX `contacts_manager_idx`;--> statement-breakpoint
DROP INDEX `contacts_owner_idx`;--> statement-breakpoint
DROP INDEX `contacts_merged_into_idx`;--> statement-breakpoint
CREATE INDEX `contacts_organization_idx` ON `contacts` (`organization`) WHERE "deleted_at" IS NULL AND "organization" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `contacts_manager_idx` ON `contacts` (`manager`) WHERE "deleted_at" IS NULL AND "manager" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `contacts_owner_idx` ON `contacts` (`owner`) WHERE "deleted_at" IS NULL AND "owner" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `contacts_merged_into_idx` ON `contacts` (`merged_into`) WHERE "deleted_at" IS NULL AND "merged_into" IS NOT NULL;--> statement-breakpoint
DROP INDEX `contracts_proposal_idx`;--> statement-breakpoint
DROP INDEX `contracts_deal_idx`;--> statement-breakpoint
CREATE INDEX `contracts_proposal_idx` ON `contracts` (`proposal`) WHERE "deleted_at" IS NULL AND "proposal" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `contracts_deal_idx` ON `contracts` (`deal`) WHERE "deleted_at" IS NULL AND "deal" IS NOT NULL;--> statement-breakpoint
DROP INDEX `customers_contact_idx`;--> statement-breakpoint
DROP INDEX `customers_organization_idx`;--> statement-breakpoint
DROP INDEX `customers_deal_idx`;--> statement-breakpoint
CREATE INDEX `customers_contact_idx` ON `customers` (`contact`) WHERE "deleted_at" IS NULL AND "contact" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `customers_organization_idx` ON `customers` (`organization`) WHERE "deleted_at" IS NULL AND "organization" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `customers_deal_idx` ON `customers` (`deal`) WHERE "deleted_at" IS NULL AND "deal" IS NOT NULL;--> statement-breakpoint
DROP INDEX `deals_contact_idx`;--> statement-breakpoint
DROP INDEX `deals_organization_idx`;--> statement-breakpoint
DROP INDEX `deals_owner_idx`;--> statement-breakpoint
DROP INDEX `deals_stage_id_idx`;--> statement-breakpoint
DROP INDEX `deals_plan_idx`;--> statement-breakpoint
DROP INDEX `deals_campaign_idx`;--> statement-breakpoint
CREATE INDEX `deals_contact_idx` ON `deals` (`contact`) WHERE "deleted_at" IS NULL AND "contact" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `deals_organization_idx` ON `deals` (`organization`) WHERE "deleted_at" IS NULL AND "organization" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `deals_owner_idx` ON `deals` (`owner`) WHERE "deleted_at" IS NULL AND "owner" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `deals_stage_id_idx` ON `deals` (`stage_id`) WHERE "deleted_at" IS NULL AND "stage_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `deals_plan_idx` ON `deals` (`plan`) WHERE "deleted_at" IS NULL AND "plan" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `deals_campaign_idx` ON `deals` (`campaign`) WHERE "deleted_at" IS NULL AND "campaign" IS NOT NULL;--> statement-breakpoint
DROP INDEX `lead_scores_lead_idx`;--> statement-breakpoint
CREATE INDEX `lead_scores_lead_idx` ON `lead_scores` (`lead`) WHERE "deleted_at" IS NULL AND "lead" IS NOT NULL;--> statement-breakpoint
DROP INDEX `leads_contact_idx`;--> statement-breakpoint
DROP INDEX `leads_organization_idx`;--> statement-breakpoint
DROP INDEX `leads_owner_idx`;--> statement-breakpoint
DROP INDEX `leads_campaign_idx`;--> statement-breakpoint
DROP INDEX `leads_deal_idx`;--> statement-breakpoint
CREATE INDEX `leads_contact_idx` ON `leads` (`contact`) WHERE "deleted_at" IS NULL AND "contact" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `leads_organization_idx` ON `leads` (`organization`) WHERE "deleted_at" IS NULL AND "organization" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `leads_owner_idx` ON `leads` (`owner`) WHERE "deleted_at" IS NULL AND "owner" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `leads_campaign_idx` ON `leads` (`campaign`) WHERE "deleted_at" IS NULL AND "campaign" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `leads_deal_idx` ON `leads` (`deal`) WHERE "deleted_at" IS NULL AND "deal" IS NOT NULL;--> statement-breakpoint
DROP INDEX `messages_contact_idx`;--> statement-breakpoint
DROP INDEX `messages_deal_idx`;--> statement-breakpoint
DROP INDEX `messages_lead_idx`;--> statement-breakpoint
DROP INDEX `messages_activity_idx`;--> statement-breakpoint
CREATE INDEX `messages_contact_idx` ON `messages` (`contact`) WHERE "deleted_at" IS NULL AND "contact" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `messages_deal_idx` ON `messages` (`deal`) WHERE "deleted_at" IS NULL AND "deal" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `messages_lead_idx` ON `messages` (`lead`) WHERE "deleted_at" IS NULL AND "lead" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `messages_activity_idx` ON `messages` (`activity`) WHERE "deleted_at" IS NULL AND "activity" IS NOT NULL;--> statement-breakpoint
DROP INDEX `notifications_recipient_idx`;--> statement-breakpoint
DROP INDEX `notifications_deal_idx`;--> statement-breakpoint
DROP INDEX `notifications_lead_idx`;--> statement-breakpoint
DROP INDEX `notifications_activity_idx`;--> statement-breakpoint
CREATE INDEX `notifications_recipient_idx` ON `notifications` (`recipient`) WHERE "deleted_at" IS NULL AND "recipient" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `notifications_deal_idx` ON `notifications` (`deal`) WHERE "deleted_at" IS NULL AND "deal" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `notifications_lead_idx` ON `notifications` (`lead`) WHERE "deleted_at" IS NULL AND "lead" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `notifications_activity_idx` ON `notifications` (`activity`) WHERE "deleted_at" IS NULL AND "activity" IS NOT NULL;--> statement-breakpoint
DROP INDEX `organizations_parent_idx`;--> statement-breakpoint
CREATE INDEX `organizations_parent_idx` ON `organizations` (`parent`) WHERE "deleted_at" IS NULL AND "parent" IS NOT NULL;--> statement-breakpoint
DROP INDEX `proposals_deal_idx`;--> statement-breakpoint
CREATE INDEX `proposals_deal_idx` ON `proposals` (`deal`) WHERE "deleted_at" IS NULL AND "deal" IS NOT NULL;--> statement-breakpoint
DROP INDEX `subscriptions_customer_idx`;--> statement-breakpoint
DROP INDEX `subscriptions_plan_idx`;--> statement-breakpoint
DROP INDEX `subscriptions_deal_idx`;--> statement-breakpoint
CREATE INDEX `subscriptions_customer_idx` ON `subscriptions` (`customer`) WHERE "deleted_at" IS NULL AND "customer" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `subscriptions_plan_idx` ON `subscriptions` (`plan`) WHERE "deleted_at" IS NULL AND "plan" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `subscriptions_deal_idx` ON `subscriptions` (`deal`) WHERE "deleted_at" IS NULL AND "deal" IS NOT NULL;--> statement-breakpoint
DROP INDEX `tracked_events_contact_idx`;--> statement-breakpoint
DROP INDEX `tracked_events_lead_idx`;--> statement-breakpoint
DROP INDEX `tracked_events_deal_idx`;--> statement-breakpoint
CREATE INDEX `tracked_events_contact_idx` ON `tracked_events` (`contact`) WHERE "deleted_at" IS NULL AND "contact" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `tracked_events_lead_idx` ON `tracked_events` (`lead`) WHERE "deleted_at" IS NULL AND "lead" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `tracked_events_deal_idx` ON `tracked_events` (`deal`) WHERE "deleted_at" IS NULL AND "deal" IS NOT NULL;--> statement-breakpoint
DROP INDEX `users_contact_idx`;--> statement-breakpoint
CREATE INDEX `users_contact_idx` ON `users` (`contact`) WHERE "deleted_at" IS NULL AND "contact" IS NOT NULL;