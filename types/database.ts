export type Json =
  | string
  | number
  | boolean
  | null
  | { [key: string]: Json | undefined }
  | Json[]

export type Database = {
  public: {
    Tables: {
      meeting_invitations: {
        Row: {
          created_at: string
          id: string
          invitee_id: string
          inviter_id: string
          meeting_id: string
          status: Database["public"]["Enums"]["invitation_status"]
          updated_at: string
        }
        Insert: {
          created_at?: string
          id?: string
          invitee_id: string
          inviter_id: string
          meeting_id: string
          status?: Database["public"]["Enums"]["invitation_status"]
          updated_at?: string
        }
        Update: {
          created_at?: string
          id?: string
          invitee_id?: string
          inviter_id?: string
          meeting_id?: string
          status?: Database["public"]["Enums"]["invitation_status"]
          updated_at?: string
        }
        Relationships: [
          {
            foreignKeyName: "meeting_invitations_invitee_id_fkey"
            columns: ["invitee_id"]
            isOneToOne: false
            referencedRelation: "profiles"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "meeting_invitations_inviter_id_fkey"
            columns: ["inviter_id"]
            isOneToOne: false
            referencedRelation: "profiles"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "meeting_invitations_meeting_id_fkey"
            columns: ["meeting_id"]
            isOneToOne: false
            referencedRelation: "meetings"
            referencedColumns: ["id"]
          },
        ]
      }
      meeting_participants: {
        Row: {
          created_at: string
          id: string
          is_hand_raised: boolean
          is_muted: boolean
          is_screen_sharing: boolean
          is_video_on: boolean
          joined_at: string
          left_at: string | null
          meeting_id: string
          removed_at: string | null
          removed_by: string | null
          role: Database["public"]["Enums"]["participant_role"]
          status: Database["public"]["Enums"]["participant_status"]
          updated_at: string
          user_id: string
          version: number
        }
        Insert: {
          created_at?: string
          id?: string
          is_hand_raised?: boolean
          is_muted?: boolean
          is_screen_sharing?: boolean
          is_video_on?: boolean
          joined_at?: string
          left_at?: string | null
          meeting_id: string
          removed_at?: string | null
          removed_by?: string | null
          role?: Database["public"]["Enums"]["participant_role"]
          status?: Database["public"]["Enums"]["participant_status"]
          updated_at?: string
          user_id: string
          version?: number
        }
        Update: {
          created_at?: string
          id?: string
          is_hand_raised?: boolean
          is_muted?: boolean
          is_screen_sharing?: boolean
          is_video_on?: boolean
          joined_at?: string
          left_at?: string | null
          meeting_id?: string
          removed_at?: string | null
          removed_by?: string | null
          role?: Database["public"]["Enums"]["participant_role"]
          status?: Database["public"]["Enums"]["participant_status"]
          updated_at?: string
          user_id?: string
          version?: number
        }
        Relationships: [
          {
            foreignKeyName: "meeting_participants_meeting_id_fkey"
            columns: ["meeting_id"]
            isOneToOne: false
            referencedRelation: "meetings"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "meeting_participants_removed_by_fkey"
            columns: ["removed_by"]
            isOneToOne: false
            referencedRelation: "profiles"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "meeting_participants_user_id_fkey"
            columns: ["user_id"]
            isOneToOne: false
            referencedRelation: "profiles"
            referencedColumns: ["id"]
          },
        ]
      }
      meetings: {
        Row: {
          access: Database["public"]["Enums"]["meeting_access"]
          created_at: string
          ended_at: string | null
          host_id: string
          id: string
          organization_id: string
          started_at: string | null
          status: Database["public"]["Enums"]["meeting_status"]
          title: string
          updated_at: string
          version: number
        }
        Insert: {
          access?: Database["public"]["Enums"]["meeting_access"]
          created_at?: string
          ended_at?: string | null
          host_id: string
          id?: string
          organization_id: string
          started_at?: string | null
          status?: Database["public"]["Enums"]["meeting_status"]
          title: string
          updated_at?: string
          version?: number
        }
        Update: {
          access?: Database["public"]["Enums"]["meeting_access"]
          created_at?: string
          ended_at?: string | null
          host_id?: string
          id?: string
          organization_id?: string
          started_at?: string | null
          status?: Database["public"]["Enums"]["meeting_status"]
          title?: string
          updated_at?: string
          version?: number
        }
        Relationships: [
          {
            foreignKeyName: "meetings_host_id_fkey"
            columns: ["host_id"]
            isOneToOne: false
            referencedRelation: "profiles"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "meetings_organization_id_fkey"
            columns: ["organization_id"]
            isOneToOne: false
            referencedRelation: "organizations"
            referencedColumns: ["id"]
          },
        ]
      }
      message_reactions: {
        Row: {
          created_at: string
          emoji: string
          id: string
          message_id: string
          user_id: string
        }
        Insert: {
          created_at?: string
          emoji: string
          id?: string
          message_id: string
          user_id: string
        }
        Update: {
          created_at?: string
          emoji?: string
          id?: string
          message_id?: string
          user_id?: string
        }
        Relationships: [
          {
            foreignKeyName: "message_reactions_message_id_fkey"
            columns: ["message_id"]
            isOneToOne: false
            referencedRelation: "messages"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "message_reactions_user_id_fkey"
            columns: ["user_id"]
            isOneToOne: false
            referencedRelation: "profiles"
            referencedColumns: ["id"]
          },
        ]
      }
      messages: {
        Row: {
          client_id: string
          content: string
          created_at: string
          deleted_at: string | null
          edited_at: string | null
          id: string
          meeting_id: string
          reactions_version: number
          sender_id: string
          seq: number
          type: Database["public"]["Enums"]["message_type"]
          version: number
        }
        Insert: {
          client_id: string
          content: string
          created_at?: string
          deleted_at?: string | null
          edited_at?: string | null
          id?: string
          meeting_id: string
          reactions_version?: number
          sender_id: string
          seq?: never
          type?: Database["public"]["Enums"]["message_type"]
          version?: number
        }
        Update: {
          client_id?: string
          content?: string
          created_at?: string
          deleted_at?: string | null
          edited_at?: string | null
          id?: string
          meeting_id?: string
          reactions_version?: number
          sender_id?: string
          seq?: never
          type?: Database["public"]["Enums"]["message_type"]
          version?: number
        }
        Relationships: [
          {
            foreignKeyName: "messages_meeting_id_fkey"
            columns: ["meeting_id"]
            isOneToOne: false
            referencedRelation: "meetings"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "messages_sender_id_fkey"
            columns: ["sender_id"]
            isOneToOne: false
            referencedRelation: "profiles"
            referencedColumns: ["id"]
          },
        ]
      }
      organizations: {
        Row: {
          created_at: string
          id: string
          name: string
          slug: string
          updated_at: string
        }
        Insert: {
          created_at?: string
          id?: string
          name: string
          slug: string
          updated_at?: string
        }
        Update: {
          created_at?: string
          id?: string
          name?: string
          slug?: string
          updated_at?: string
        }
        Relationships: []
      }
      profiles: {
        Row: {
          avatar_url: string | null
          created_at: string
          full_name: string | null
          id: string
          org_role: Database["public"]["Enums"]["org_role"]
          organization_id: string | null
          updated_at: string
        }
        Insert: {
          avatar_url?: string | null
          created_at?: string
          full_name?: string | null
          id: string
          org_role?: Database["public"]["Enums"]["org_role"]
          organization_id?: string | null
          updated_at?: string
        }
        Update: {
          avatar_url?: string | null
          created_at?: string
          full_name?: string | null
          id?: string
          org_role?: Database["public"]["Enums"]["org_role"]
          organization_id?: string | null
          updated_at?: string
        }
        Relationships: [
          {
            foreignKeyName: "profiles_organization_id_fkey"
            columns: ["organization_id"]
            isOneToOne: false
            referencedRelation: "organizations"
            referencedColumns: ["id"]
          },
        ]
      }
    }
    Views: {
      [_ in never]: never
    }
    Functions: {
      broadcast_metrics: { Args: Record<PropertyKey, never>; Returns: string }
      delete_message: {
        Args: { message_id: string }
        Returns: Database["public"]["CompositeTypes"]["chat_message"]
        SetofOptions: {
          from: "*"
          to: "chat_message"
          isOneToOne: true
          isSetofReturn: false
        }
      }
      edit_message: {
        Args: { content: string; message_id: string }
        Returns: Database["public"]["CompositeTypes"]["chat_message"]
        SetofOptions: {
          from: "*"
          to: "chat_message"
          isOneToOne: true
          isSetofReturn: false
        }
      }
      get_messages: {
        Args: {
          after_seq?: number
          before_seq?: number
          meeting_id: string
          newest_first?: boolean
          page_size?: number
        }
        Returns: Database["public"]["CompositeTypes"]["chat_message"][]
        SetofOptions: {
          from: "*"
          to: "chat_message"
          isOneToOne: false
          isSetofReturn: true
        }
      }
      join_meeting: {
        Args: { meeting_id: string }
        Returns: {
          created_at: string
          id: string
          is_hand_raised: boolean
          is_muted: boolean
          is_screen_sharing: boolean
          is_video_on: boolean
          joined_at: string
          left_at: string | null
          meeting_id: string
          removed_at: string | null
          removed_by: string | null
          role: Database["public"]["Enums"]["participant_role"]
          status: Database["public"]["Enums"]["participant_status"]
          updated_at: string
          user_id: string
          version: number
        }
        SetofOptions: {
          from: "*"
          to: "meeting_participants"
          isOneToOne: true
          isSetofReturn: false
        }
      }
      leave_meeting: {
        Args: { meeting_id: string }
        Returns: {
          created_at: string
          id: string
          is_hand_raised: boolean
          is_muted: boolean
          is_screen_sharing: boolean
          is_video_on: boolean
          joined_at: string
          left_at: string | null
          meeting_id: string
          removed_at: string | null
          removed_by: string | null
          role: Database["public"]["Enums"]["participant_role"]
          status: Database["public"]["Enums"]["participant_status"]
          updated_at: string
          user_id: string
          version: number
        }
        SetofOptions: {
          from: "*"
          to: "meeting_participants"
          isOneToOne: true
          isSetofReturn: false
        }
      }
      list_participants: {
        Args: { include_left?: boolean; meeting_id: string }
        Returns: {
          avatar_url: string
          full_name: string
          is_hand_raised: boolean
          is_muted: boolean
          is_screen_sharing: boolean
          is_video_on: boolean
          joined_at: string
          left_at: string
          role: Database["public"]["Enums"]["participant_role"]
          status: Database["public"]["Enums"]["participant_status"]
          updated_at: string
          user_id: string
          version: number
        }[]
      }
      record_broadcast_outcomes: {
        Args: { outcomes: Json }
        Returns: undefined
      }
      remove_participant: {
        Args: { meeting_id: string; user_id: string }
        Returns: {
          created_at: string
          id: string
          is_hand_raised: boolean
          is_muted: boolean
          is_screen_sharing: boolean
          is_video_on: boolean
          joined_at: string
          left_at: string | null
          meeting_id: string
          removed_at: string | null
          removed_by: string | null
          role: Database["public"]["Enums"]["participant_role"]
          status: Database["public"]["Enums"]["participant_status"]
          updated_at: string
          user_id: string
          version: number
        }
        SetofOptions: {
          from: "*"
          to: "meeting_participants"
          isOneToOne: true
          isSetofReturn: false
        }
      }
      send_message: {
        Args: { client_id: string; content: string; meeting_id: string }
        Returns: Database["public"]["CompositeTypes"]["sent_message"]
        SetofOptions: {
          from: "*"
          to: "sent_message"
          isOneToOne: true
          isSetofReturn: false
        }
      }
      set_meeting_status: {
        Args: {
          meeting_id: string
          status: Database["public"]["Enums"]["meeting_status"]
        }
        Returns: {
          access: Database["public"]["Enums"]["meeting_access"]
          created_at: string
          ended_at: string | null
          host_id: string
          id: string
          organization_id: string
          started_at: string | null
          status: Database["public"]["Enums"]["meeting_status"]
          title: string
          updated_at: string
          version: number
        }
        SetofOptions: {
          from: "*"
          to: "meetings"
          isOneToOne: true
          isSetofReturn: false
        }
      }
      toggle_reaction: {
        Args: { emoji: string; message_id: string }
        Returns: Database["public"]["CompositeTypes"]["reaction_toggle"]
        SetofOptions: {
          from: "*"
          to: "reaction_toggle"
          isOneToOne: true
          isSetofReturn: false
        }
      }
      update_participant_state: {
        Args: { meeting_id: string; state: Json; user_id?: string }
        Returns: {
          created_at: string
          id: string
          is_hand_raised: boolean
          is_muted: boolean
          is_screen_sharing: boolean
          is_video_on: boolean
          joined_at: string
          left_at: string | null
          meeting_id: string
          removed_at: string | null
          removed_by: string | null
          role: Database["public"]["Enums"]["participant_role"]
          status: Database["public"]["Enums"]["participant_status"]
          updated_at: string
          user_id: string
          version: number
        }
        SetofOptions: {
          from: "*"
          to: "meeting_participants"
          isOneToOne: true
          isSetofReturn: false
        }
      }
    }
    Enums: {
      invitation_status: "pending" | "accepted" | "declined"
      meeting_access: "organization" | "invite_only"
      meeting_status: "scheduled" | "live" | "ended"
      message_type: "text" | "system"
      org_role: "admin" | "member"
      participant_role: "host" | "cohost" | "participant"
      participant_status: "active" | "away" | "busy"
    }
    CompositeTypes: {
      chat_message: {
        id: string | null
        seq: number | null
        meeting_id: string | null
        sender_id: string | null
        client_id: string | null
        content: string | null
        type: Database["public"]["Enums"]["message_type"] | null
        created_at: string | null
        edited_at: string | null
        deleted_at: string | null
        version: number | null
        reactions: Json | null
        reactions_version: number | null
      }
      reaction_toggle: {
        action: string | null
        emoji: string | null
        counts: Json | null
        version: number | null
        message_id: string | null
        meeting_id: string | null
      }
      sent_message: {
        id: string | null
        seq: number | null
        meeting_id: string | null
        sender_id: string | null
        client_id: string | null
        content: string | null
        type: Database["public"]["Enums"]["message_type"] | null
        created_at: string | null
        edited_at: string | null
        deleted_at: string | null
        version: number | null
        reactions: Json | null
        reactions_version: number | null
        duplicate: boolean | null
      }
    }
  }
}

type DatabaseWithoutInternals = Omit<Database, "__InternalSupabase">

type DefaultSchema = DatabaseWithoutInternals[Extract<keyof Database, "public">]

export type Tables<
  DefaultSchemaTableNameOrOptions extends
    | keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends (DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
        DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])
    : never) = never,
> = DefaultSchemaTableNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals
}
  ? (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
      DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])[TableName] extends {
      Row: infer R
    }
    ? R
    : never
  : DefaultSchemaTableNameOrOptions extends keyof (DefaultSchema["Tables"] &
        DefaultSchema["Views"])
    ? (DefaultSchema["Tables"] &
        DefaultSchema["Views"])[DefaultSchemaTableNameOrOptions] extends {
        Row: infer R
      }
      ? R
      : never
    : never

export type TablesInsert<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends (DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never) = never,
> = DefaultSchemaTableNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals
}
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
      Insert: infer I
    }
    ? I
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
    ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
        Insert: infer I
      }
      ? I
      : never
    : never

export type TablesUpdate<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends (DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never) = never,
> = DefaultSchemaTableNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals
}
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
      Update: infer U
    }
    ? U
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
    ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
        Update: infer U
      }
      ? U
      : never
    : never

export type Enums<
  DefaultSchemaEnumNameOrOptions extends
    | keyof DefaultSchema["Enums"]
    | { schema: keyof DatabaseWithoutInternals },
  EnumName extends (DefaultSchemaEnumNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"]
    : never) = never,
> = DefaultSchemaEnumNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals
}
  ? DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"][EnumName]
  : DefaultSchemaEnumNameOrOptions extends keyof DefaultSchema["Enums"]
    ? DefaultSchema["Enums"][DefaultSchemaEnumNameOrOptions]
    : never

export type CompositeTypes<
  PublicCompositeTypeNameOrOptions extends
    | keyof DefaultSchema["CompositeTypes"]
    | { schema: keyof DatabaseWithoutInternals },
  CompositeTypeName extends (PublicCompositeTypeNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"]
    : never) = never,
> = PublicCompositeTypeNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals
}
  ? DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"][CompositeTypeName]
  : PublicCompositeTypeNameOrOptions extends keyof DefaultSchema["CompositeTypes"]
    ? DefaultSchema["CompositeTypes"][PublicCompositeTypeNameOrOptions]
    : never

export const Constants = {
  public: {
    Enums: {
      invitation_status: ["pending", "accepted", "declined"],
      meeting_access: ["organization", "invite_only"],
      meeting_status: ["scheduled", "live", "ended"],
      message_type: ["text", "system"],
      org_role: ["admin", "member"],
      participant_role: ["host", "cohost", "participant"],
      participant_status: ["active", "away", "busy"],
    },
  },
} as const

